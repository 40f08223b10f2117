"""NQL trees (cms.ghost.nql) as SQL conditions on our tables: every value bound as a
parameter, every field one the resource names here; anything else is Ghost's 400.

A field is a column compared as its kind says (text, number, boolean, date, or a value
every row has, like posts' `visibility`), or a relation (`tags.slug`): "some tag of the
post matches", and for the negative operators "no tag of the post matches", as Ghost's
`tag:-news` means "not tagged news"."""

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import ColumnElement, and_, exists, literal, not_, or_, select

from cms.ghost import nql
from cms.ghost.errors import GhostError

Condition = ColumnElement[bool]
MAX_ID = 2**31 - 1
_KINDS = {"bool": "true or false", "const": "This field"}
NEGATIVE = {"ne": "eq", "nin": "in", "not_contains": "contains", "not_starts": "starts",
            "not_ends": "ends"}  # fmt: skip


@dataclass(frozen=True)
class Column:
    """A column of the resource's own table, compared as `kind` says."""

    column: Any
    kind: str  # "text", "int", "bool", "date" or "const" (the same value on every row)


@dataclass(frozen=True)
class Related:
    """A column of records linked to the resource (a post's tags), by a link table."""

    link: Any  # the link table's model, e.g. PostTag
    owner: Any  # its column of the resource's id, e.g. PostTag.post_id
    owner_id: Any  # the resource's id, e.g. Post.id
    record: Any  # its column of the record's id, e.g. PostTag.tag_id
    record_id: Any  # the record's id, e.g. Tag.id
    column: Column  # what is compared, e.g. Tag.slug
    primary_only: Any = None  # a condition on the link for the first record only


Field = Column | Related


def condition(
    node: nql.Node, fields: Mapping[str, Field], *, now: datetime, doing: str
) -> Condition:
    """The SQL condition of `node`; a GhostError naming what is not understood."""
    translate = _Translator(fields, now, doing)
    return translate(node)


class _Translator:
    def __init__(self, fields: Mapping[str, Field], now: datetime, doing: str) -> None:
        self.fields, self.now, self.doing = fields, now, doing

    def __call__(self, node: nql.Node) -> Condition:
        # Depth is bounded by the parser (nql.MAX_DEPTH), so recursing here is safe.
        if isinstance(node, nql.And):
            return and_(*(self(part) for part in node.parts))
        if isinstance(node, nql.Or):
            return or_(*(self(part) for part in node.parts))
        field = self.fields.get(node.field)
        if field is None:
            known = ", ".join(sorted(self.fields))
            return self.refuse(f"Unknown field {node.field!r} in filter: use one of {known}")
        if isinstance(field, Column):
            return self.compare(field, node.op, node.value)
        return self.related(field, node)

    def refuse(self, detail: str) -> NoReturn:
        raise GhostError("BadRequestError", detail, doing=self.doing)

    def related(self, field: Related, node: nql.Comparison) -> Condition:
        positive = NEGATIVE.get(node.op, node.op)
        matched = self.compare(field.column, positive, node.value)
        linked = [field.owner == field.owner_id, matched]
        if field.primary_only is not None:
            linked.append(field.primary_only)
        some = exists(
            select(literal(1))
            .select_from(field.link)
            .join(field.record_id.table, field.record == field.record_id)
            .where(*linked)
        )
        return not_(some) if node.op in NEGATIVE else some

    def compare(self, field: Column, op: str, value: nql.Value) -> Condition:
        column = field.column
        if isinstance(value, tuple):
            if op not in {"in", "nin"}:
                self.refuse(f"A list cannot be compared with {op}")
            if None in value:
                self.refuse("null cannot be in a list: use field:null or field:-null")
            values = [self.coerce(field, item) for item in value]
            return column.in_(values) if op == "in" else column.not_in(values)
        if op in {"in", "nin"}:
            return self.compare(field, "eq" if op == "in" else "ne", value)
        if op not in {"eq", "ne"} and field.kind in {"bool", "const"}:
            self.refuse(f"{_KINDS[field.kind]} can only be compared with ':' or ':-'")
        if value is None:
            if op not in {"eq", "ne"}:
                self.refuse(f"null can only be compared with ':' or ':-', not {op}")
            return column.is_(None) if op == "eq" else column.is_not(None)
        return self.operator(op, column, self.coerce(field, value))

    def operator(self, op: str, column: Any, value: Any) -> Condition:
        text_ops: dict[str, Callable[[], Condition]] = {
            "contains": lambda: column.icontains(value, autoescape=True),
            "starts": lambda: column.istartswith(value, autoescape=True),
            "ends": lambda: column.iendswith(value, autoescape=True),
        }
        positive = NEGATIVE.get(op, op)
        if positive in text_ops:
            if not isinstance(value, str):
                self.refuse("'~' looks for text in a text field")
            matched = text_ops[positive]()
            return not_(matched) if op in NEGATIVE else matched
        compared: dict[str, Callable[[], Condition]] = {
            "eq": lambda: column == value,
            "ne": lambda: column != value,
            "gt": lambda: column > value,
            "gte": lambda: column >= value,
            "lt": lambda: column < value,
            "lte": lambda: column <= value,
        }
        return compared[op]()

    def coerce(self, field: Column, value: nql.Scalar) -> Any:
        """`value` as the column holds it; a GhostError for what it can never hold."""
        kind = field.kind
        if kind == "date":
            return self.moment(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if value in ("true", "false"):
                return value == "true"
            return self.refuse(f"Expected true or false, not {value!r}")
        if kind == "int":
            if isinstance(value, str) and value.isascii() and value.isdigit():
                value = int(value)
            # Our ids are 32-bit: beyond, PostgreSQL would refuse the comparison itself.
            if isinstance(value, int) and not isinstance(value, bool) and value <= MAX_ID:
                return value
            return self.refuse(f"Expected a whole number, not {value!r}")
        if isinstance(value, nql.RelativeDate):
            return self.refuse("A relative date only compares with dates")
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def moment(self, value: nql.Scalar) -> datetime:
        if isinstance(value, nql.RelativeDate):
            try:
                return shifted(self.now, value)
            except (OverflowError, ValueError):
                sign = "+" if value.sign > 0 else "-"
                return self.refuse(f"now{sign}{value.amount}{value.unit} is out of range")
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
                return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            except (ValueError, OverflowError):  # not a date; or beyond year 9999 in UTC
                pass
        return self.refuse(f"Expected a date such as 2026-01-31 or now-7d, not {value!r}")


def shifted(now: datetime, by: nql.RelativeDate) -> datetime:
    """`now` moved by `now-30d`'s amount; months and years by the calendar. OverflowError
    or ValueError beyond the years 1 to 9999."""
    amount = by.sign * by.amount
    if by.unit in {"M", "y"}:
        return _add_months(now, amount * (12 if by.unit == "y" else 1))
    return now + timedelta(**{nql.RELATIVE_DATE_UNITS[by.unit]: amount})


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError("out of range")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def constant(value: str) -> Column:
    """A field every row has with the same value (posts' `visibility` is always public)."""
    return Column(literal(value), "const")
