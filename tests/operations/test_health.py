"""Liveness and readiness, for load balancers and orchestrators: ready only while the
database answers."""


def test_health_and_readiness(client) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {"status": "ok"}


def test_readiness_fails_with_503_when_the_database_is_unreachable(settings) -> None:
    from fastapi.testclient import TestClient

    from cms.app import create_app
    from cms.db import make_engine

    broken = make_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    with TestClient(create_app(settings, engine=broken)) as client:
        response = client.get("/ready")
        assert response.status_code == 503
        assert response.json()["detail"] == "The database cannot be reached"
        assert client.get("/health").status_code == 200
