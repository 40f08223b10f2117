"""Admin API: the site settings (admins and up)."""

from typing import Annotated

from fastapi import APIRouter, Body
from starlette.responses import Response

from cms.api.context import NowDep, SettingsDep
from cms.api.envelopes import One
from cms.api.responses import private_response
from cms.api.urls import UrlsDep
from cms.auth.dependencies import AdminUser
from cms.db import SessionDep
from cms.problems import problem_responses
from cms.site import service
from cms.site.schemas import SiteOut, SiteUpdate

router = APIRouter(prefix="/admin/site", tags=["Admin: site"])


@router.get("", response_model=One[SiteOut], responses=problem_responses(401, 403))
def get_site_settings(
    _admin: AdminUser, session: SessionDep, settings: SettingsDep, urls: UrlsDep
) -> Response:
    """The site settings as readers see them (each one set, else the server's default)."""
    site = service.current_site(session, settings=settings)
    return private_response({"data": site.shown(self_url=urls.api("/admin/site"))})


@router.patch("", response_model=One[SiteOut], responses=problem_responses(401, 403, 422))
def update_site_settings(
    data: Annotated[SiteUpdate, Body()],
    user: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    urls: UrlsDep,
    now: NowDep,
) -> Response:
    """Change the fields sent; `null` sets one back to the server's default. `url` is the
    server's CMS_SITE_URL, which every permalink is built from, and is not edited here."""
    site = service.update_site(session, data=data, actor=user, now=now, settings=settings)
    return private_response({"data": site.shown(self_url=urls.api("/admin/site"))})
