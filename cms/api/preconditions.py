"""Optimistic concurrency: `If-Match` must name the version the client last read."""

from typing import Any

from cms.problems import PreconditionFailed, PreconditionRequired


def check_if_match(
    if_match: str | None, *, current: str, required: bool, current_state: dict[str, Any]
) -> None:
    """Raise 428 when a required If-Match is missing, 412 when it names another version."""
    if if_match is None or not if_match.strip():
        if required:
            raise PreconditionRequired(
                "Send If-Match with the ETag of the version you edited (from your last GET)",
                field="If-Match",
            )
        return
    candidates = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if "*" in candidates or current in candidates:
        return
    raise PreconditionFailed(
        "Someone changed this since you read it: fetch it again, reapply your edit, retry",
        field="If-Match",
        extra={"current": current_state},
    )
