"""Ghost's NQL filter language (`tag:news+featured:true,title:~'ghost'`) parsed into a small tree.

The grammar follows @tryghost/nql-lang 0.7 (its lexer `src/nql.l` and grammar `src/nql.y`) so
that filters written for Ghost mean the same here: the token rules below are that lexer's rules,
in its order, because its lexer takes the *first* rule that matches, not the longest. The parser
only builds the tree; which fields and values are allowed is for the caller to decide.

Where this module deliberately differs from nql-lang:
- `1.5` is the float 1.5 (nql-lang runs numbers through parseInt and gets 1).
- `field:[a+b]` ("has all of") comes back as `And(field eq a, field eq b)`, which is what
  @tryghost/nql does to nql-lang's `$all` before querying (`expandAllFilters` in nql/lib/utils.js).
- Nested groups of the same kind are flattened: `(a:1+b:2)+c:3` is one And of three.
- Relative dates stay relative (`RelativeDate`): the caller resolves them against its own clock.
- Error positions count characters; nql-lang counts UTF-16 units (an emoji is two).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

MAX_LENGTH = 4000
MAX_DEPTH = 20
RELATIVE_DATE_UNITS = dict(  # the units of now±N<unit>, as nql-lang's lexer knows them
    d="days", w="weeks", M="months", y="years", h="hours", m="minutes", s="seconds"
)


class NqlError(ValueError):
    """A filter that cannot be parsed; the message says what is wrong and where (1-based)."""


@dataclass(frozen=True)
class RelativeDate:
    """`now-30d` is RelativeDate(-1, 30, "d"): kept unresolved so the caller picks the clock."""

    sign: int  # +1 for `now+…`, -1 for `now-…`
    amount: int
    unit: str  # a key of RELATIVE_DATE_UNITS; "M" is months, "m" minutes


Scalar: TypeAlias = str | int | float | bool | RelativeDate | None
Value: TypeAlias = Scalar | tuple[Scalar, ...]


@dataclass(frozen=True)
class Comparison:
    """One `field:…` test. For the match ops the value is the raw text to look for: nql-lang
    matches it case-insensitively, and LIKE wildcards in it are the caller's to escape."""

    field: str
    op: str
    value: Value


@dataclass(frozen=True)
class And:
    """Every part holds (`+`); parse() gives at least two parts, none of them an And."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Some part holds (`,`); parse() gives at least two parts, none of them an Or."""

    parts: tuple[Node, ...]


Node: TypeAlias = Comparison | And | Or

# JavaScript's \s, so that what counts as a space is the same as in nql-lang.
_WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_BARNOT = f"[^{_WS}'\"+,()><=\\[\\]~]"  # may continue an unquoted literal
_OMIT = f"[^{_WS}'\"+,()><=\\[\\]~-]"  # may start one (a leading '-' means "not")
_ESCAPED = r"""\\['"+,()><=\[\]~^$]"""
_WORD_END = f"(?!{_ESCAPED}|{_BARNOT})"  # `true` but not `trueish`
_RULES = (
    ("WS", f"[{_WS}]+"),
    ("NULL", f"(?:null|NULL|Null){_WORD_END}"),
    ("TRUE", f"(?:true|TRUE|True){_WORD_END}"),
    ("FALSE", f"(?:false|FALSE|False){_WORD_END}"),
    ("PROP", r"[a-zA-Z_][a-zA-Z0-9_.]*:"),
    ("NUMBER", r"[0-9]+(?:\.[0-9]+)?(?![a-zA-Z0-9_-])"),
    ("LBRACKET", r"\["),
    ("RBRACKET", r"\]"),
    ("NOW", r"now[-+][0-9]+[dwMyhms](?=[+,()\[\]]|\Z)"),
    # One astral character is two UTF-16 units in JavaScript, so long enough for nql-lang.
    ("LITERAL", f"{_OMIT}(?:{_ESCAPED}|{_BARNOT})+|[\U00010000-\U0010ffff]"),
    ("STRING", r"""'(?:\\['"]|[^'"])+?'"""),
    ("LPAREN", r"\("),
    ("RPAREN", r"\)"),
    ("OR", ","),
    ("AND", r"\+"),
    ("NOT", "-"),
    ("GTE", ">="),
    ("LTE", "<="),
    ("GT", ">"),
    ("LT", "<"),
    ("STARTS", r"~\^"),
    ("ENDS", r"~\$"),
    ("CONTAINS", "~"),
    ("LETTER", r"""[a-zA-Z](?![a-zA-Z'",()><=\[\]~])"""),  # a one-letter literal
)
_TOKEN = re.compile("|".join(f"(?P<{kind}>{rule})" for kind, rule in _RULES))
_VALUES = {"NULL", "TRUE", "FALSE", "NUMBER", "NOW", "LITERAL", "STRING", "LETTER"}
_COMPARE_OPS = {"NOT": "ne", "GT": "gt", "GTE": "gte", "LT": "lt", "LTE": "lte"}
_MATCH_OPS = {"CONTAINS": "contains", "STARTS": "starts", "ENDS": "ends"}
_FIELD = "a field name with ':' (e.g. tag:news) or '('"


class _Token(NamedTuple):
    kind: str
    text: str
    at: int  # 1-based character position, as in the error messages


def parse(text: str) -> Node:
    """The tree of an NQL filter; NqlError, and nothing else, for any text that is not one."""
    if len(text) > MAX_LENGTH:  # before any other work, so huge input costs nothing
        raise NqlError(f"The filter is too long (at most {MAX_LENGTH} characters)")
    tokens = _tokenise(text)
    if len(tokens) == 1:
        raise NqlError("The filter is empty")
    return _Parser(tokens).parse()


def fields_of(node: Node) -> set[str]:
    """Every field the filter tests, for the caller to check against what it allows."""
    fields: set[str] = set()
    pending: list[Node] = [node]
    while pending:  # a loop, not recursion: trees built by hand can be deep
        current = pending.pop()
        if isinstance(current, Comparison):
            fields.add(current.field)
        else:
            pending.extend(current.parts)
    return fields


def _tokenise(text: str) -> list[_Token]:
    """The tokens, ending with EOF. Parentheses are balanced and depth-capped here, so the
    recursive parser never goes deeper than MAX_DEPTH whatever the input."""
    tokens: list[_Token] = []
    opened: list[int] = []
    for kind, token_text, at in _scan(text):
        if kind == "LPAREN":
            opened.append(at)
            if len(opened) > MAX_DEPTH:
                raise NqlError(
                    f"The filter nests too deeply (at most {MAX_DEPTH} levels) at character {at}"
                )
        elif kind == "RPAREN":
            if not opened:
                raise NqlError(f"Unbalanced parentheses at character {at}: nothing to close")
            opened.pop()
        tokens.append(_Token(kind, token_text, at))
    if opened:
        raise NqlError(f"Unbalanced parentheses at character {opened[-1]}: never closed")
    tokens.append(_Token("EOF", "", len(text) + 1))
    return tokens


def _scan(text: str) -> Iterator[_Token]:
    """Tokens as nql-lang's lexer cuts them, whitespace dropped."""
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            raise _lexing_error(text, position)
        if match.lastgroup != "WS":
            yield _Token(match.lastgroup, match.group(), position + 1)
        position = match.end()


def _lexing_error(text: str, index: int) -> NqlError:
    """Why no token starts at text[index], in words that say how to fix it."""
    char, at = text[index], index + 1
    if char == "'":
        return NqlError(_quote_problem(text, index))
    if char == '"':
        return NqlError(f"Unexpected '\"' at character {at}: quote values with ' instead")
    following = text[index + 1 : index + 2]
    if char.isascii() and char.isalpha() and following and following in ",()[]":
        return NqlError(f"Unexpected '{char}' at character {at}: write it quoted, as '{char}'")
    return NqlError(f"Unexpected {_show(char)} at character {at}")


def _quote_problem(text: str, index: int) -> str:
    """What is wrong with the quoted string opening at text[index]."""
    at, cursor = index + 1, index + 1
    if text[cursor : cursor + 1] == "'":
        return f"Empty quoted string at character {at}: nql cannot match ''"
    while cursor < len(text):
        if text[cursor] == "\\" and text[cursor + 1 : cursor + 2] in ("'", '"'):
            cursor += 2
            continue
        if text[cursor] == '"':
            return f"Unexpected '\"' at character {cursor + 1}: inside quotes write it as \\\""
        cursor += 1
    return f"Unterminated quoted string at character {at}"


def _show(text: str) -> str:
    """A token as quoted in an error message, cut short if it is long."""
    shown = text if len(text) <= 20 else text[:20] + "…"
    return f'"{shown}"' if "'" in shown else f"'{shown}'"


def _unescape(text: str) -> str:
    """nql-lang's unescape: only \\' and \\" lose their backslash; `\\,` and the like keep it."""
    return re.sub(r"""\\(['"])""", r"\1", text)


def _scalar(token: _Token) -> Scalar:
    """The value of a value token; quoting is what keeps `'true'` and `'5'` strings."""
    kind, text = token.kind, token.text
    if kind in ("NULL", "TRUE", "FALSE"):
        return {"NULL": None, "TRUE": True, "FALSE": False}[kind]
    if kind == "NUMBER":
        return float(text) if "." in text else int(text)
    if kind == "NOW":
        return RelativeDate(1 if text[3] == "+" else -1, int(text[4:-1]), text[-1])
    if kind == "STRING":
        return _unescape(text[1:-1])
    return _unescape(text)


def _join(kind: type[And] | type[Or], parts: list[Node]) -> Node:
    """One part as itself, several as `kind`, with nested groups of the same kind opened up."""
    if len(parts) == 1:
        return parts[0]
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, kind) else (part,))
    return kind(tuple(flat))


class _Parser:
    """Recursive descent over nql.y: `,` (OR) joins AND-chains, `+` (AND) joins filters, so
    `+` binds tighter. It recurses only into parentheses, which the tokeniser caps."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def parse(self) -> Node:
        node = self.expression()
        self.expect("EOF", "expected '+', ',' or the end of the filter")
        return node

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def expect(self, kind: str, expected: str) -> _Token:
        if self.peek().kind != kind:
            raise self.error(self.peek(), expected)
        return self.take()

    def error(self, token: _Token, expected: str) -> NqlError:
        if token.kind == "EOF":
            return NqlError(f"Unexpected end of the filter at character {token.at}: {expected}")
        return NqlError(f"Unexpected {_show(token.text)} at character {token.at}: {expected}")

    def expression(self) -> Node:
        parts = [self.conjunction()]
        while self.peek().kind == "OR":
            self.take()
            parts.append(self.conjunction())
        return _join(Or, parts)

    def conjunction(self) -> Node:
        parts = [self.filter()]
        while self.peek().kind == "AND":
            self.take()
            parts.append(self.filter())
        return _join(And, parts)

    def filter(self) -> Node:
        token = self.take()
        if token.kind == "LPAREN":
            node = self.expression()
            self.expect("RPAREN", "expected '+', ',' or ')'")
            return node
        if token.kind != "PROP":
            raise self.error(token, f"expected {_FIELD}")
        return self.condition(token.text[:-1])

    def condition(self, field: str) -> Node:
        """What follows `field:` — `-` negates a value, a match or a list, nothing else."""
        token = self.take()
        negated = token.kind == "NOT"
        if negated:
            token = self.take()
        if token.kind in _MATCH_OPS:
            text = self.expect("STRING", "expected a quoted value, e.g. 'text'").text
            op = ("not_" if negated else "") + _MATCH_OPS[token.kind]
            return Comparison(field, op, _unescape(text[1:-1]))
        if token.kind == "LBRACKET":
            return self.listing(field, negated)
        if not negated and token.kind in _COMPARE_OPS:
            return Comparison(field, _COMPARE_OPS[token.kind], self.value())
        if token.kind not in _VALUES:
            raise self.error(token, f"expected a value for {field}")
        return Comparison(field, "ne" if negated else "eq", _scalar(token))

    def listing(self, field: str, negated: bool) -> Node:
        """`[a,b]` is "in", `-[a,b]` "not in", `[a+b]` "all of"; one list takes one separator."""
        values = [self.value()]
        separator = self.peek().kind
        if separator == "AND" and negated:
            raise self.error(self.peek(), "a list after '-' takes ',' between its values")
        while separator in ("OR", "AND") and self.peek().kind == separator:
            self.take()
            values.append(self.value())
        self.expect(
            "RBRACKET", "expected '+' or ']'" if separator == "AND" else "expected ',' or ']'"
        )
        if separator == "AND":
            return _join(And, [Comparison(field, "eq", value) for value in values])
        return Comparison(field, "nin" if negated else "in", tuple(values))

    def value(self) -> Scalar:
        token = self.take()
        if token.kind not in _VALUES:
            raise self.error(token, "expected a value")
        return _scalar(token)
