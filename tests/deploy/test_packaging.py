"""What Dockerfile and docker-compose.yml promise, read from the files themselves (there is
no Docker here): test_tls_proxy.py runs what they start, with the settings checked here."""

import ipaddress
import json
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines)
        if word and not word.startswith("#")
    ]


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_the_image_runs_as_a_user_other_than_root() -> None:
    users = [arguments for instruction, arguments in dockerfile() if instruction == "USER"]

    assert users, "no USER: the server would run as root"
    user = users[-1].partition(":")[0]
    assert user not in {"root", "0"}
    assert user.isdigit()  # so that Kubernetes' runAsNonRoot can check it


def test_the_default_sqlite_database_lives_in_a_declared_volume() -> None:
    instructions = dockerfile()
    env = " ".join(arguments for instruction, arguments in instructions if instruction == "ENV")
    [database] = re.findall(r"CMS_DATABASE_URL=sqlite:///(\S+)", env)
    volumes = [
        json.loads(arguments) for instruction, arguments in instructions if instruction == "VOLUME"
    ]

    assert str(Path(database).parent) in {path for volume in volumes for path in volume}


def test_uploaded_media_live_in_a_volume_in_the_image_and_in_compose() -> None:
    env = " ".join(arguments for instruction, arguments in dockerfile() if instruction == "ENV")
    [image_media] = re.findall(r"CMS_MEDIA_DIR=(\S+)", env)
    api = compose()["services"]["api"]
    mounted = {volume.split(":")[1] for volume in api["volumes"]}

    assert image_media.startswith("/app/data/")  # inside the image's declared volume
    assert api["environment"]["CMS_MEDIA_DIR"] in mounted
    assert "media" in compose()["volumes"]


def test_the_image_checks_its_own_readiness() -> None:
    [check] = [arguments for instruction, arguments in dockerfile() if instruction == "HEALTHCHECK"]

    assert "/ready" in check


def test_compose_refuses_to_start_without_a_secret_key() -> None:
    key = compose()["services"]["api"]["environment"]["CMS_SECRET_KEY"]

    # ${NAME:?message}: compose stops with the message when NAME is unset or empty.
    assert re.fullmatch(r"\$\{CMS_SECRET_KEY:\?[^}]+\}", key)


def test_compose_trusts_forwarded_headers_from_nginx_alone() -> None:
    services = compose()["services"]
    api, nginx = services["api"], services["nginx"]
    [pool] = compose()["networks"]["proxy"]["ipam"]["config"]
    nginx_address = ipaddress.ip_address(nginx["networks"]["proxy"]["ipv4_address"])

    assert api["environment"]["FORWARDED_ALLOW_IPS"] == str(nginx_address)
    assert nginx_address in ipaddress.ip_network(pool["subnet"])
    # Outside the range Docker hands out, so no other container can be given it.
    assert nginx_address not in ipaddress.ip_network(pool["ip_range"])
    assert "ports" not in api  # no way around nginx
    assert api["environment"]["CMS_API_URL"].startswith("${CMS_API_URL:-https://")


def test_compose_runs_nginx_with_the_tested_configuration_and_mounted_certificates() -> None:
    volumes = compose()["services"]["nginx"]["volumes"]

    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in volumes
    assert "./deploy/certs:/etc/nginx/certs:ro" in volumes
