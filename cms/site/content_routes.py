"""Content API: the site as a whole, for front ends' headers, footers and <head>."""

from fastapi import APIRouter
from starlette.responses import Response

from cms.api.context import SettingsDep
from cms.api.envelopes import One
from cms.api.responses import content_response
from cms.api.urls import UrlsDep
from cms.cache import keys
from cms.db import ReadSessionDep, on_read_thread
from cms.site import service
from cms.site.schemas import SiteOut

router = APIRouter(prefix="/site", tags=["Content: site"])


@router.get("", response_model=One[SiteOut])
async def get_site(session: ReadSessionDep, settings: SettingsDep, urls: UrlsDep) -> Response:
    """The site's title, description, logo, icon, accent colour, language, time zone,
    address and navigation."""
    site = await on_read_thread(session, service.current_site, settings=settings)
    data = site.shown(self_url=urls.api("/site"))
    return content_response({"data": data}, settings=settings, keys=[keys.SITE])
