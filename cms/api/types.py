"""Types shared by the request models: strict about the shapes the OpenAPI document promises."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from annotated_types import Interval
from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator


def _iso_datetime(value: Any) -> datetime:
    # Request models are strict (no "1" for 1, no 0 for a date), so a time must be
    # ISO 8601 text as documented; without an offset it is taken to be UTC.
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an ISO 8601 date-time, e.g. 2021-02-02T10:00:00Z") from None
    if not isinstance(value, datetime):
        raise ValueError("must be an ISO 8601 date-time string, e.g. 2021-02-02T10:00:00Z")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]

# A post's slug in a Content API path.
SlugPath = Annotated[str, Path(max_length=191, description="The post's slug.")]


def _iso_date(value: Any) -> date:
    # Only the RFC 3339 full-date the document promises: not 20210202, not 2021-W05-2.
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a date as YYYY-MM-DD, e.g. 2021-02-02")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a real date as YYYY-MM-DD, e.g. 2021-02-02") from None


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _whole_number(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer, so we do too; "3" and true are not numbers.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


# A row id in a request body: a JSON integer (not "1"), within the database's range.
Id = Annotated[int, Interval(ge=1, le=2**31 - 1), BeforeValidator(_whole_number)]


def _no_nul(value: Any) -> Any:
    # PostgreSQL cannot store NUL characters in text; no real text contains one.
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise ValueError("must not contain NUL (\\u0000) characters")
    return value


# What the document says of every text the API takes in (bodies and parameters alike).
NO_NUL_PATTERN = "^[^\\u0000]*$"


def document_no_nul(schema: dict[str, Any]) -> None:
    """Add NO_NUL_PATTERN to every plain string in a JSON schema (in place)."""
    if schema.get("type") == "string" and "pattern" not in schema and "format" not in schema:
        schema["pattern"] = NO_NUL_PATTERN
    for key in ("properties",):
        for child in schema.get(key, {}).values():
            document_no_nul(child)
    for key in ("anyOf", "allOf", "oneOf"):
        for child in schema.get(key, []):
            document_no_nul(child)
    if isinstance(schema.get("items"), dict):
        document_no_nul(schema["items"])


class RequestBody(BaseModel):
    """The base of every JSON body the API takes: unknown fields and NUL characters refused."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=document_no_nul)

    @field_validator("*", mode="before")
    @classmethod
    def refuse_nul(cls, value: Any) -> Any:
        return _no_nul(value)
