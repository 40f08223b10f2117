"""What a request knows of its surroundings: the settings and the time, both injectable.

Dependencies that do no I/O are `async def` throughout the API: FastAPI runs a plain `def`
in a worker thread, and under load that hop costs more than a whole cache-missing read
(bench/, ../shared/PERFORMANCE.md).
"""

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from cms.config import Settings


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_now(request: Request) -> datetime:
    # The app's clock, not datetime.now(): tests move time instead of sleeping.
    now: datetime = request.app.state.clock()
    return now


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
