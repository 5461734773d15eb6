"""The committed deployment files, parsed once for the tests (nothing is built or started)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_VAR = re.compile(r"(?<!\$)\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def load_yaml(relative: str) -> Any:
    return yaml.safe_load((REPO / relative).read_text())


@cache
def compose() -> dict[str, Any]:
    return load_yaml("docker-compose.yml")


@cache
def deploy_instance() -> dict[str, Any]:
    return load_yaml("deploy/dagster.yaml")


def service(name: str) -> dict[str, Any]:
    return compose()["services"][name]


def service_env(name: str) -> dict[str, str]:
    environment = service(name).get("environment") or {}
    assert isinstance(environment, dict), f"{name}: use the mapping form of environment"
    return environment


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (REPO / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def env_refs(config: Any) -> set[str]:
    """Every ``{env: NAME}`` in a Dagster config tree."""
    if isinstance(config, dict):
        if set(config) == {"env"}:
            return {config["env"]}
        return set().union(*(env_refs(v) for v in config.values()))
    if isinstance(config, list):
        return set().union(*(env_refs(v) for v in config))
    return set()


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def dockerfile_stages(relative: str) -> list[list[tuple[str, str]]]:
    """The instructions of each build stage, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (REPO / relative).read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword.upper(), " ".join(rest.split())))
    return stages
