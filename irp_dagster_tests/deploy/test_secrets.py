"""No secret literal in any committed file: private keys, cloud keys, passwords in URLs, and in
configuration files any password/secret/key/token set to a literal other than a documented
placeholder (everything real comes from the environment)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from irp_dagster_tests.deploy.files import REPO

#: Safe defaults that .env.example documents (the mock's key, a password to change).
PLACEHOLDERS = {"change-me", "local-dev-key"}
CONFIG_NAMES = re.compile(r"(\.ya?ml|\.toml|\.ini|\.cfg|\.sh|\.md|\.env.*|Dockerfile.*)$")

PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
AWS_KEY_ID = re.compile(r"\bAKIA[0-9A-Z]{16}\b")
URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:([^\s@/'\"]+)@")
ASSIGNED_SECRET = re.compile(
    # the value must stand on the same line: a YAML key opening a block (a schema) is no secret
    r"(?i)(?<!\{)\b\w*(?:password|passwd|secret|api_?key|token)\w*['\"]?[ \t]*[:=][ \t]*['\"]?"
    r"([^\s'\"#,}]+)"
)


NOT_SECRETS = {"true", "false", "null", "none", "~", "yes", "no"}


def _literal(value: str) -> bool:
    """A value written out, not a reference (${VAR}, {env: X}, <placeholder>, YAML alias or
    list), a boolean, or a documented placeholder."""
    if value[:1] in {"$", "{", "<", "*", "(", "["}:
        return False
    return value not in PLACEHOLDERS and value.lower() not in NOT_SECRETS


def findings(name: str, text: str) -> list[str]:
    found = [f"private key in {name}" for _ in PRIVATE_KEY.finditer(text)]
    found += [
        f"AWS key id in {name}"
        for m in AWS_KEY_ID.finditer(text)
        if not m.group(0).endswith("EXAMPLE")  # AWS's documented example key
    ]
    found += [
        f"password in a URL in {name}: {m.group(0)}"
        for m in URL_PASSWORD.finditer(text)
        if _literal(m.group(1))
    ]
    if CONFIG_NAMES.search(name):
        found += [
            f"secret literal in {name}: {m.group(0)}"
            for m in ASSIGNED_SECRET.finditer(text)
            if _literal(m.group(1))
        ]
    return found


def _committed_files() -> list[Path]:
    """Tracked files and those about to be (untracked, not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=False,
        text=True,
    )
    if listed.returncode != 0:  # not a git checkout: everything but local state
        skip = {".git", ".venv", ".irp", "__pycache__"}
        return [p for p in REPO.rglob("*") if p.is_file() and not skip & set(p.parts)]
    return [REPO / name for name in listed.stdout.split("\0") if name]


def test_no_secret_in_committed_files() -> None:
    problems = []
    for path in _committed_files():
        try:
            text = path.read_text()
        except (UnicodeDecodeError, FileNotFoundError):
            continue  # binary fixtures; files deleted in the work tree
        problems += findings(path.relative_to(REPO).as_posix(), text)
    assert problems == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (".env", "POSTGRES_PASSWORD=hunter2-prod\n"),
        ("docker-compose.yml", "  IRP_MOODYS_API_KEY: 'a1b2c3d4e5'\n"),
        ("dagster.yaml", "      password: s3cr3t\n"),
        # Assembled here so that this file itself passes the scan.
        ("settings.py", 'URL = "postgresql://irp:' + 'hunter2@db:5432/irp"\n'),
        ("notes.md", "key: AKIA" + "ABCDEFGHIJKLMNOP\n"),
        ("dagster.yaml", "storage:\n  postgres:\n    password:   hunter2\n"),
        ("id_rsa.txt", "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n"),
    ],
)
def test_the_scan_finds_planted_secrets(name: str, text: str) -> None:
    assert findings(name, text)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (".env.example", "POSTGRES_PASSWORD=change-me\nMOODYS_API_KEY=local-dev-key\n"),
        ("docker-compose.yml", "  DAGSTER_PG_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n"),
        ("dagster.yaml", "      password: {env: DAGSTER_PG_PASSWORD}\n"),
        ("api.yml", "        secretAccessKey:\n          type: string\n"),
        ("conftest.py", 'URL = f"postgresql://irp:{password}@db/irp"\n'),
        ("values.yaml", "envSecrets: [{name: irp-env}]\ngeneratePasswordSecret: false\n"),
    ],
)
def test_references_and_placeholders_pass(name: str, text: str) -> None:
    assert findings(name, text) == []
