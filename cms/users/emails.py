"""Account e-mail addresses: any syntactically valid one, intranet names included.

Staff sign in with these; nothing is ever sent to them, so whether mail could be delivered
there from the Internet is no concern of ours. email-validator refuses special-use domains
(RFC 6761: `.test`, `.local`, `.localhost`, `.invalid`, `.onion`, `.arpa`) even with
`globally_deliverable=False`, from a module-wide list that changing would change every
caller's checks (comments' too). So such a top-level name is swapped for a neutral one of
the same length while the syntax is checked, and put back afterwards.
"""

from typing import Annotated

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

MAX_LENGTH = 254


def normalized_account_email(value: str) -> str:
    """`value` normalised (domain lower-cased, IDNA decoded), if it is a valid address."""
    local, at, domain = value.rpartition("@")
    special = _special_use_suffix(domain)
    checked = f"{local}{at}{domain[: -len(special)]}{'x' * len(special)}" if special else value
    try:
        result = validate_email(checked, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError as error:
        raise PydanticCustomError(
            "value_error", "value is not a valid email address: {reason}", {"reason": str(error)}
        ) from None
    if not special:
        return result.normalized
    return f"{result.local_part}@{result.domain[: -len(special)]}{special.lower()}"


def _special_use_suffix(domain: str) -> str:
    """The domain's last label if it is a special-use name (as written), else ''."""
    last = domain.rsplit(".", 1)[-1]
    return last if last.lower() in SPECIAL_USE_DOMAIN_NAMES else ""


AccountEmail = Annotated[
    str,
    Field(max_length=MAX_LENGTH, json_schema_extra={"format": "email"}),
    AfterValidator(normalized_account_email),
]
