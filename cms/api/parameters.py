"""Checks on every request's parameters, before any route sees them."""

from collections import Counter

from fastapi import Request

from cms.problems import BadRequest


async def check_parameters(request: Request) -> None:
    """400 naming the parameter for a NUL character (no text holds one), or for a parameter
    given twice (every parameter of this API takes one value; silently using one of them
    would hide the caller's mistake)."""
    query = request.query_params.multi_items()
    for name, value in [*query, *request.path_params.items()]:
        if "\x00" in name or "\x00" in str(value):
            raise BadRequest(f"{name!r} must not contain NUL (%00) characters", field=name)
    for name, times in Counter(name for name, _ in query).items():
        if times > 1:
            raise BadRequest(f"{name!r} is given {times} times; give it once", field=name)
