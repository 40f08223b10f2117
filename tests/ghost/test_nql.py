"""NQL, Ghost's filter language: what each filter parses to, and which filters are refused.

The expected trees follow @tryghost/nql-lang 0.7 (src/nql.l, src/nql.y); the quirks of that
lexer that these tests pin down (one-letter values, `now-1d` before a space, kept backslashes)
were checked against it with node. Nothing here needs node to run.
"""

import contextlib
import random

import pytest

from cms.ghost.nql import (
    MAX_DEPTH,
    MAX_LENGTH,
    RELATIVE_DATE_UNITS,
    And,
    Comparison,
    NqlError,
    Or,
    RelativeDate,
    Value,
    fields_of,
    parse,
)


def eq(field: str, value: Value) -> Comparison:
    return Comparison(field, "eq", value)


def value_of(text: str) -> Value:
    node = parse(text)
    assert isinstance(node, Comparison)
    return node.value


def rejected(text: str) -> str:
    with pytest.raises(NqlError) as caught:
        parse(text)
    return str(caught.value)


# Operators


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ("count:5", "eq", 5),
        ("count:-5", "ne", 5),
        ("count:>5", "gt", 5),
        ("count:>=5", "gte", 5),
        ("count:<5", "lt", 5),
        ("count:<=5", "lte", 5),
        ("email:~'gmail.com'", "contains", "gmail.com"),
        ("email:-~'gmail.com'", "not_contains", "gmail.com"),
        ("email:~^'gmail.com'", "starts", "gmail.com"),
        ("email:-~^'gmail.com'", "not_starts", "gmail.com"),
        ("email:~$'gmail.com'", "ends", "gmail.com"),
        ("email:-~$'gmail.com'", "not_ends", "gmail.com"),
        ("tag:[news,tech]", "in", ("news", "tech")),
        ("tag:-[news,tech]", "nin", ("news", "tech")),
    ],
)
def test_each_operator_has_its_op(text: str, op: str, value: Value) -> None:
    field = text.split(":", 1)[0]
    assert parse(text) == Comparison(field, op, value)


def test_comparisons_take_any_value_even_null_and_dates() -> None:
    assert parse("title:>'M'") == Comparison("title", "gt", "M")
    assert parse("image:>null") == Comparison("image", "gt", None)
    assert parse("published_at:<=2024-01-01") == Comparison("published_at", "lte", "2024-01-01")


def test_minus_before_a_number_means_not_equal_not_a_negative_number() -> None:
    assert parse("count:-5") == Comparison("count", "ne", 5)
    assert value_of("count:'-5'") == "-5"  # a negative number can only be a quoted string


def test_minus_negates_keywords_and_strings_too() -> None:
    assert parse("image:-null") == Comparison("image", "ne", None)
    assert parse("featured:-true") == Comparison("featured", "ne", True)
    assert parse("author:-'Joe Bloggs'") == Comparison("author", "ne", "Joe Bloggs")


@pytest.mark.parametrize("text", ["count:->5", "count:-<=5", "count:>-5", "count:--5"])
def test_minus_does_not_combine_with_comparisons(text: str) -> None:
    assert "Unexpected" in rejected(text)


def test_match_operators_need_a_quoted_value() -> None:
    assert "expected a quoted value" in rejected("title:~ghost")


def test_whitespace_between_tokens_is_ignored() -> None:
    assert parse("author: -joe + tag: [ photo , video ]") == parse("author:-joe+tag:[photo,video]")


def test_a_field_must_touch_its_colon() -> None:
    assert "expected a field name" in rejected("tag :news")


# Lists


def test_a_list_may_hold_one_value() -> None:
    assert parse("tag:[news]") == Comparison("tag", "in", ("news",))
    assert parse("tag:-[news]") == Comparison("tag", "nin", ("news",))


def test_a_list_holds_values_of_every_kind() -> None:
    assert value_of("x:[5, 1.5, 'a b', true, null, now-1d, my-tag]") == (
        5,
        1.5,
        "a b",
        True,
        None,
        RelativeDate(-1, 1, "d"),
        "my-tag",
    )


def test_plus_inside_a_list_means_all_of_and_becomes_equals_joined_by_and() -> None:
    # As @tryghost/nql rewrites nql-lang's $all before it queries (expandAllFilters).
    assert parse("tag:[news+tech+'big data']") == And(
        (eq("tag", "news"), eq("tag", "tech"), eq("tag", "big data"))
    )


def test_an_all_of_list_merges_into_the_surrounding_and() -> None:
    assert parse("featured:true+tag:[news+tech]") == And(
        (eq("featured", True), eq("tag", "news"), eq("tag", "tech"))
    )


@pytest.mark.parametrize("text", ["tag:[news+tech,ai]", "tag:[news,tech+ai]"])
def test_a_list_uses_one_kind_of_separator(text: str) -> None:
    assert "Unexpected" in rejected(text)


def test_an_all_of_list_cannot_be_negated() -> None:
    assert "takes ','" in rejected("tag:-[news+tech]")


@pytest.mark.parametrize("text", ["tag:[]", "tag:-[]", "tag:[news,]", "tag:[,news]"])
def test_a_list_needs_a_value_between_each_separator(text: str) -> None:
    assert "expected a value" in rejected(text)


def test_a_list_must_be_closed() -> None:
    assert rejected("tag:[news,tech") == (
        "Unexpected end of the filter at character 15: expected ',' or ']'"
    )


def test_lists_do_not_nest() -> None:
    assert "expected a value" in rejected("tag:[[news]]")


# Literals


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("5", 5),
        ("007", 7),
        ("12345678901234567890", 12345678901234567890),
        ("1.5", 1.5),  # nql-lang's parseInt would make this 1
        ("1e5", "1e5"),
        ("10abc", "10abc"),
        ("1-2", "1-2"),
        (".5", ".5"),
    ],
)
def test_numbers_are_int_or_float_and_anything_else_numeric_is_a_string(
    literal: str, value: object
) -> None:
    parsed = value_of(f"count:{literal}")
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
        ("null", None),
        ("Null", None),
        ("NULL", None),
    ],
)
def test_keywords_come_in_three_spellings(literal: str, value: object) -> None:
    assert value_of(f"x:{literal}") is value


@pytest.mark.parametrize("literal", ["tRue", "truex", "nullable", "false-ish", "nul"])
def test_keywords_count_only_as_whole_words(literal: str) -> None:
    assert value_of(f"x:{literal}") == literal


@pytest.mark.parametrize("literal", ["'true'", "'null'", "'5'", "'1.5'", "'now-1d'"])
def test_quoting_keeps_keywords_numbers_and_dates_strings(literal: str) -> None:
    assert value_of(f"x:{literal}") == literal.strip("'")


@pytest.mark.parametrize(
    "literal",
    [
        "getting-started",
        "123-test",
        "2024-01-01",
        "2024-01-01T10:00:00",
        "2024-01-01T10:00:00.000Z",
        "café",
        "😀",
        "x;DROP",
        "now",  # plain `now` is not special: only now±N<unit> is
    ],
)
def test_unquoted_slugs_dates_and_words_are_strings(literal: str) -> None:
    assert value_of(f"x:{literal}") == literal


def test_a_datetime_with_an_offset_needs_quotes() -> None:
    assert "Unexpected" in rejected("published_at:>2024-01-01T10:00:00+01:00")
    assert value_of("published_at:>'2024-01-01T10:00:00+01:00'") == "2024-01-01T10:00:00+01:00"


def test_a_one_letter_value_works_alone_or_before_plus() -> None:
    assert parse("name:a") == eq("name", "a")
    assert parse("name:a+b:1") == And((eq("name", "a"), eq("b", 1)))


@pytest.mark.parametrize("text", ["tag:[a,b]", "tag:a,b:1", "(tag:a)"])
def test_a_one_letter_value_before_comma_or_bracket_must_be_quoted_as_in_nql_lang(
    text: str,
) -> None:
    assert "write it quoted, as 'a'" in rejected(text)
    assert parse(text.replace(":a", ":'a'").replace("[a,b]", "['a','b']"))


# Quoting and escapes


def test_quotes_keep_spaces_and_operators_as_text() -> None:
    assert value_of("author:'Joe Bloggs, (and) +friends: [all] ~ -'") == (
        "Joe Bloggs, (and) +friends: [all] ~ -"
    )


def test_backslash_escapes_quotes() -> None:
    assert value_of(r"author:'John O\'Nolan'") == "John O'Nolan"
    assert value_of(r"title:'say \"hi\"'") == 'say "hi"'
    assert value_of(r"author:o\'nolan") == "o'nolan"  # also unquoted


def test_other_backslashes_are_kept_as_written() -> None:
    # nql-lang unescapes only \' and \"; the rest reach the caller untouched.
    assert value_of(r"x:'a\,b'") == r"a\,b"
    assert value_of(r"x:a\,b") == r"a\,b"
    assert value_of(r"x:'C:\\dir'") == r"C:\\dir"


def test_a_double_quote_inside_quotes_must_be_escaped() -> None:
    assert rejected("title:'say \"hi\"'") == (
        "Unexpected '\"' at character 12: inside quotes write it as \\\""
    )


def test_double_quotes_do_not_quote() -> None:
    assert "quote values with ' instead" in rejected('title:"hello"')


def test_empty_quotes_are_refused() -> None:
    assert rejected("title:''") == "Empty quoted string at character 7: nql cannot match ''"


def test_a_quote_must_be_closed() -> None:
    assert rejected("tag:'abc") == "Unterminated quoted string at character 5"


# Relative dates


@pytest.mark.parametrize("unit", sorted(RELATIVE_DATE_UNITS))
def test_relative_dates_in_every_unit(unit: str) -> None:
    assert value_of(f"last_seen_at:>=now-2{unit}") == RelativeDate(-1, 2, unit)


def test_relative_dates_go_forward_too() -> None:
    assert parse("expires_at:<=now+365d") == Comparison(
        "expires_at", "lte", RelativeDate(1, 365, "d")
    )


def test_capital_m_is_months_and_small_m_minutes() -> None:
    assert RELATIVE_DATE_UNITS["M"] == "months" and RELATIVE_DATE_UNITS["m"] == "minutes"


def test_a_relative_date_may_be_followed_by_an_operator_or_parenthesis() -> None:
    assert parse("(created_at:>now-30d+tag:x1),b:1") == Or(
        (
            And((Comparison("created_at", "gt", RelativeDate(-1, 30, "d")), eq("tag", "x1"))),
            eq("b", 1),
        )
    )


@pytest.mark.parametrize(
    "literal", ["now-2", "now-2D", "now-2dx", "now-2d1", "snow-2d", "its-now-2d"]
)
def test_almost_relative_dates_are_plain_strings(literal: str) -> None:
    assert value_of(f"x:{literal}") == literal


def test_a_relative_date_followed_by_a_space_is_a_plain_string_as_in_nql_lang() -> None:
    assert parse("x:now-1d ,b:1") == Or((eq("x", "now-1d"), eq("b", 1)))


# Precedence and grouping


def test_plus_binds_tighter_than_comma() -> None:
    assert parse("a:1+b:2,c:3") == Or((And((eq("a", 1), eq("b", 2))), eq("c", 3)))


def test_plus_binds_tighter_than_comma_on_the_right_too() -> None:
    assert parse("a:1,b:2+c:3") == Or((eq("a", 1), And((eq("b", 2), eq("c", 3)))))


def test_parentheses_override_precedence() -> None:
    assert parse("a:1+(b:2,c:3)") == And((eq("a", 1), Or((eq("b", 2), eq("c", 3)))))
    assert parse("(a:1,b:2)+c:3") == And((Or((eq("a", 1), eq("b", 2))), eq("c", 3)))


def test_chains_and_nested_groups_of_the_same_kind_are_flattened() -> None:
    four = (eq("a", 1), eq("b", 2), eq("c", 3), eq("d", 4))
    assert parse("a:1,b:2,c:3,d:4") == Or(four)
    assert parse("(a:1,b:2),(c:3,(d:4))") == Or(four)
    assert parse("a:1+(b:2+(c:3+d:4))") == And(four)


def test_redundant_parentheses_vanish() -> None:
    assert parse("((tag:news))") == eq("tag", "news")


def test_twenty_levels_of_parentheses_are_allowed() -> None:
    assert parse("(" * MAX_DEPTH + "a:1" + ")" * MAX_DEPTH) == eq("a", 1)


def test_groups_need_an_operator_between_them() -> None:
    assert rejected("id:5(count:3)") == (
        "Unexpected '(' at character 5: expected '+', ',' or the end of the filter"
    )


# Fields


def test_field_names_keep_dots_underscores_and_case() -> None:
    node = parse("tags.slug:x1+Count.Posts:>1+_private:true")
    assert fields_of(node) == {"tags.slug", "Count.Posts", "_private"}


@pytest.mark.parametrize("text", ["1a:1", "post-count:6", "'tag':news", "5>:tag"])
def test_a_field_starts_with_a_letter_or_underscore_and_has_no_hyphen(text: str) -> None:
    assert "expected a field name" in rejected(text)


def test_fields_of_lists_each_field_once() -> None:
    assert fields_of(parse("tag:a+(tag:[x1,y1],author:joe+count.posts:>5)")) == {
        "tag",
        "author",
        "count.posts",
    }


def test_nodes_are_frozen_and_hashable() -> None:
    node = parse("tag:[x1,y1]+a:1")
    assert isinstance(node, And)
    assert hash(node) == hash(parse("tag:[x1,y1]+a:1"))
    with pytest.raises(AttributeError):
        node.parts = ()  # type: ignore[misc]


# Bad input


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The filter is empty"),
        (" \t\n ", "The filter is empty"),
        ("(a:1", "Unbalanced parentheses at character 1: never closed"),
        ("a:1+(b:2,(c:3)", "Unbalanced parentheses at character 5: never closed"),
        ("a:1)", "Unbalanced parentheses at character 4: nothing to close"),
        ("(a:1))+(b:2", "Unbalanced parentheses at character 6: nothing to close"),
        ("tag:", "Unexpected end of the filter at character 5: expected a value for tag"),
        (":value", "Unexpected ':value' at character 1: expected a field name"),
        ("a:1++b:2", "Unexpected '+' at character 5: expected a field name"),
        ("a:1,", "Unexpected end of the filter at character 5: expected a field name"),
        ("a:1+", "Unexpected end of the filter at character 5: expected a field name"),
        ("count:>", "Unexpected end of the filter at character 8: expected a value"),
        ("count:-", "Unexpected end of the filter at character 8: expected a value for count"),
        ("title:~", "Unexpected end of the filter at character 8: expected a quoted value"),
        (",a:1", "Unexpected ',' at character 1: expected a field name"),
        ("a:1 b:2", "Unexpected 'b:' at character 5: expected '+', ',' or the end"),
        ("tag:'My Tag'-", "Unexpected '-' at character 13"),
        ("a:=1", "Unexpected '=' at character 3"),
        ("tag:é", "Unexpected 'é' at character 5"),
        ("a:1.", "Unexpected '.' at character 4"),
        ("()", "Unexpected ')' at character 2: expected a field name"),
    ],
)
def test_malformed_filters_say_what_is_wrong_and_where(text: str, message: str) -> None:
    assert rejected(text).startswith(message)


def test_a_thousand_levels_of_parentheses_are_refused_at_the_21st() -> None:
    text = "(" * 1000 + "a:1" + ")" * 1000
    message = rejected(text)
    assert message == "The filter nests too deeply (at most 20 levels) at character 21"


def test_ten_kilobytes_are_refused_before_any_parsing() -> None:
    assert rejected("(" * 10_000) == "The filter is too long (at most 4000 characters)"


def test_the_longest_filter_allowed_is_4000_characters() -> None:
    assert value_of("a:" + "x" * (MAX_LENGTH - 2)) == "x" * (MAX_LENGTH - 2)
    assert "too long" in rejected("a:" + "x" * (MAX_LENGTH - 1))


def test_sql_after_a_closing_quote_is_refused() -> None:
    assert rejected("title:'x'; DROP TABLE posts;--") == "Unexpected ';' at character 10"


def test_sql_inside_quotes_or_a_literal_is_just_a_value() -> None:
    # The tree carries it as data; the caller binds it as a parameter, never as SQL.
    assert value_of("title:'x; DROP TABLE posts;--'") == "x; DROP TABLE posts;--"
    assert value_of("title:x;DROP") == "x;DROP"


def test_nql_error_is_a_value_error() -> None:
    assert issubclass(NqlError, ValueError)


@pytest.mark.parametrize(
    "text",
    ["'" + "\\'" * 1999, "'" + '\\"' * 1999, "1" * 3999 + "a", "now-" + "1" * 3990, "\\" * 4000],
)
def test_worst_case_inputs_end_in_a_tree_or_an_nql_error(text: str) -> None:
    # Each is read in one pass (how long that takes, bench/ghost.py prints: not timed here).
    with contextlib.suppress(NqlError):
        parse(text)


PIECES = [
    *"()[]+,-:~^$<>='\"\\ .;_\t\n",
    *"abxNM019",
    "tag:",
    "a.b:",
    "now-1d",
    "now+2M",
    "true",
    "null",
    "'x'",
    ">=",
    "~^",
    "-[",
    "é",
    "😀",
    "\u00a0",
    "\u2028",
    "\x00",
    "\ud800",
]


def test_no_input_raises_anything_but_nql_error() -> None:
    rng = random.Random(20240601)
    for _ in range(4000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 24)))
        try:
            node = parse(text)
        except NqlError:
            continue
        assert isinstance(node, Comparison | And | Or)
        assert fields_of(node)
