"""What a request knows of its surroundings: the settings and the time, both injectable."""

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from cms.config import Settings


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_now(request: Request) -> datetime:
    # The app's clock, not datetime.now(): tests move time instead of sleeping.
    now: datetime = request.app.state.clock()
    return now


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
