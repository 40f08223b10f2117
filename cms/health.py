"""Liveness and readiness, for load balancers and orchestrators."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import Engine, text

from cms.db import get_engine
from cms.outages import Kind
from cms.problems import Problem, ServiceUnavailable

router = APIRouter(tags=["Health"])


class Health(BaseModel):
    status: Literal["ok"]


@router.get("/health", response_model=Health)
def get_health() -> Health:
    """The process is up and answering."""
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Health,
    responses={503: {"model": Problem, "description": "The database cannot be reached."}},
)
def get_readiness(engine: Annotated[Engine, Depends(get_engine)]) -> Health:
    """The database answers: this process can serve requests."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to reach the database means "not ready"
        retry = {"Retry-After": str(Kind.UNREACHABLE.retry_after)}
        raise ServiceUnavailable("The database cannot be reached", headers=retry) from error
    return Health(status="ok")
