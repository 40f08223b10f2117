"""What editors send for an author or a tag alike: a name, and a slug made from it if absent."""

from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from cms.slugs import MAX_SLUG_LENGTH

RecordName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=191)]
SlugText = Annotated[str, StringConstraints(max_length=MAX_SLUG_LENGTH)]


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("Cannot be null; leave the field out to keep its value")
    return value


def _hide_null(schema: dict[str, Any]) -> None:
    # The document shows only the type: null is refused, though leaving the field out is fine.
    (kept,) = [option for option in schema.pop("anyOf") if option.get("type") != "null"]
    schema.pop("default", None)
    schema.update(kept)


# In an update: may be left out (keeps its value), but never sent as null.
NewName = Annotated[
    RecordName | None, AfterValidator(_refuse_null), Field(json_schema_extra=_hide_null)
]
NewSlug = Annotated[
    SlugText | None, AfterValidator(_refuse_null), Field(json_schema_extra=_hide_null)
]
