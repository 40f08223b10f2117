"""The yardstick: a bare Starlette app answering prebuilt bytes, as big as our answer.

    BENCH_BASELINE_BYTES=3600 uvicorn bench.baseline:app --no-access-log

What Python can serve with no work at all; our figures are reported as a share of it.
"""

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SIZE = int(os.environ.get("BENCH_BASELINE_BYTES", "3600"))
BODY = b'{"data":"' + b"x" * max(0, SIZE - 11) + b'"}'


async def prebuilt(_request: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/{path:path}", prebuilt)])
