"""Types shared by the request models: strict about the shapes the OpenAPI document promises."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from annotated_types import Interval
from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)


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
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-01:00 is in year 10000 in UTC
        raise ValueError("must fall between 0001-01-01 and 9999-12-31 in UTC") from None


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


# What the document says of every parameter the API takes.
NO_NUL_PATTERN = "^[^\\u0000]*$"

# Control characters make feeds invalid XML and terminals misbehave; lone surrogates and
# U+FFFE/U+FFFF cannot be stored or sent as UTF-8. No real text holds any of them.
_UNSENDABLE = "\\ud800-\\udfff\\ufffe\\uffff"
_CONTROLS = "\\u0000-\\u001f\\u007f-\\u009f"
_CONTROLS_BUT_LINES = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
TEXT_PATTERN = f"^[^{_CONTROLS}{_UNSENDABLE}]*$"  # one line: a name, a title, a URL
LINES_PATTERN = f"^[^{_CONTROLS_BUT_LINES}{_UNSENDABLE}]*$"  # tab, newline and CR allowed
_TEXT_REFUSED = re.compile(f"[{_CONTROLS}{_UNSENDABLE}]")
_LINES_REFUSED = re.compile(f"[{_CONTROLS_BUT_LINES}{_UNSENDABLE}]")


# A link or image address: http(s) with a host, or a path on the site ("/media/a.png").
# Nothing else: `javascript:` and `data:` addresses run in the reader's browser, and `//x`
# or `/\\x` leave the site. Spaces, controls and backslashes are refused, not guessed at.
_NOT_IN_URL = f"\\u0000-\\u0020\\u007f-\\u009f{_UNSENDABLE}\\\\"
_ABSOLUTE = f"[Hh][Tt][Tt][Pp][Ss]?://[^/?#{_NOT_IN_URL}]+(?:[/?#][^{_NOT_IN_URL}]*)?"
_ON_SITE = f"/(?:[^/{_NOT_IN_URL}][^{_NOT_IN_URL}]*)?"
URL_PATTERN = f"^(?:{_ABSOLUTE}|{_ON_SITE})$"
_URL = re.compile(URL_PATTERN)


def _web_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(
            "must be an http(s) URL or a path on the site starting with /, "
            "without spaces (encode them as %20)"
        )
    return value


WebUrl = Annotated[
    str,
    AfterValidator(_web_url),
    Field(max_length=2000, json_schema_extra={"pattern": URL_PATTERN}),
]


class Lines:
    """Marks a text field that may hold several lines (a body, a bio): `Annotated[str, LINES]`."""


LINES = Lines()


def _refuse_controls(value: Any, *, lines: bool) -> Any:
    refused = _LINES_REFUSED if lines else _TEXT_REFUSED
    for text in value if isinstance(value, list) else [value]:
        found = refused.search(text) if isinstance(text, str) else None
        if found is None:
            continue
        char = found[0]
        if char in "\t\n\r":
            raise ValueError(f"must be one line: no tab or line break (U+{ord(char):04X})")
        what = "a control character" if char < "\ud800" else "a character that is not text"
        raise ValueError(f"must not contain {what} (U+{ord(char):04X})")
    return value


def document_no_nul(schema: dict[str, Any]) -> None:
    """Add NO_NUL_PATTERN to every plain string in a parameter's JSON schema (in place)."""
    _document_pattern(schema, NO_NUL_PATTERN)


def _document_pattern(schema: dict[str, Any], pattern: str) -> None:
    if schema.get("type") == "string" and "pattern" not in schema and "format" not in schema:
        schema["pattern"] = pattern
    for child in schema.get("properties", {}).values():
        _document_pattern(child, pattern)
    for key in ("anyOf", "allOf", "oneOf"):
        for child in schema.get(key, []):
            _document_pattern(child, pattern)
    if isinstance(schema.get("items"), dict):
        _document_pattern(schema["items"], pattern)


def _document_text(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Say in a body's JSON schema which characters each text field refuses."""
    for name, field in model.model_fields.items():
        prop = schema.get("properties", {}).get(field.alias or name)
        if prop is not None:
            _document_pattern(prop, LINES_PATTERN if LINES in field.metadata else TEXT_PATTERN)


class RequestBody(BaseModel):
    """The base of every JSON body the API takes: unknown fields and control characters
    refused (tab and newline only in fields marked LINES)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_document_text)

    @field_validator("*", mode="before")
    @classmethod
    def refuse_controls(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        return _refuse_controls(value, lines=field is not None and LINES in field.metadata)
