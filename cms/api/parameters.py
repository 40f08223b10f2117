"""Checks on every request's parameters, before any route sees them."""

from fastapi import Request

from cms.problems import BadRequest


def refuse_nul_in_parameters(request: Request) -> None:
    """A NUL character in a query or path parameter is a 400 naming it (no text holds one)."""
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        if "\x00" in name or "\x00" in str(value):
            raise BadRequest(f"{name!r} must not contain NUL (%00) characters", field=name)
