"""GET /api/v1/preview/{token}: a post as readers will see it, for whoever holds the link.
Never kept by a cache: the link may end at any moment, and the post may be a draft."""

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from cms.api.context import NowDep
from cms.api.envelopes import One
from cms.api.responses import dump_json
from cms.api.urls import UrlsDep
from cms.db import SessionDep
from cms.posts import reading
from cms.posts.content_routes import present
from cms.posts.schemas import SINGLE_DEFAULT_FIELDS, Shown
from cms.posts.service import status_label
from cms.previews import service
from cms.previews.schemas import PreviewPostOut
from cms.problems import problem_responses

router = APIRouter(prefix="/preview", tags=["Content: posts"])
# Any length: a token that is too long is as unknown as any other (404, never 422).
Token = Annotated[str, Path(description="The token from the preview link.")]


@router.get("/{token}", response_model=One[PreviewPostOut], responses=problem_responses(404))
def get_preview(token: Token, session: SessionDep, urls: UrlsDep, now: NowDep) -> Response:
    """The previewed post, in the Content API's shape, with its `status`."""
    post = service.previewed_post(session, token=token, now=now)
    bundle = reading.PostBundle(posts=[post], total=1)
    reading.load_relations(
        session, bundle, now=now, fields=SINGLE_DEFAULT_FIELDS, related_limit=reading.RELATED_LIMIT
    )
    data = present(post, bundle, SINGLE_DEFAULT_FIELDS, Shown(urls))
    data["status"] = status_label(post, now)
    # Nothing keeps it, and no search engine lists it should a link leak.
    headers = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}
    return Response(dump_json({"data": data}), media_type="application/json", headers=headers)
