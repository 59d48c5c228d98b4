"""The deployment files in deploy/ (no image is built here): each parses, runs only commands the
CLI has, copies only paths the repository has, and sets only variables the bot reads."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import _parser
from bot.operations.doctor.configuration import variable_names

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
# Python's and pip's own variables, set in the image.
RUNTIME = re.compile(r"^(PYTHON|PIP_)[A-Z_]*$")
BOT_COMMAND = re.compile(r"python -m bot ([a-z]+)")


def cli_commands() -> set[str]:
    [commands] = [a for a in _parser()._actions if a.dest == "command"]
    assert isinstance(commands.choices, dict)
    return set(commands.choices)


def assert_known(variables: set[str]) -> None:
    unknown = {name for name in variables if not RUNTIME.match(name)} - set(variable_names())
    assert not unknown, f"not read by bot/settings.py: {sorted(unknown)}"


def assert_commands(text: str) -> None:
    ran = set(BOT_COMMAND.findall(text))
    assert ran, "no `python -m bot` command"
    assert ran <= cli_commands(), f"not in the CLI: {sorted(ran - cli_commands())}"


# --- Dockerfile -----------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments left out."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            keyword, _, arguments = pending.strip().partition(" ")
            instructions.append((keyword.upper(), " ".join(arguments.split())))
            pending = ""
    assert not pending, "a continued line without its end"
    return instructions


def test_the_dockerfile_builds_a_slim_image_that_runs_as_a_user() -> None:
    instructions = dockerfile()
    keywords = [keyword for keyword, _ in instructions]
    assert keywords[0] == "FROM" and "slim" in instructions[0][1]
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert keywords.index("USER") < keywords.index("CMD")
    runs = " ".join(arguments for keyword, arguments in instructions if keyword == "RUN")
    assert "pybabel compile" in runs and "-d locales" in runs


def test_the_dockerfile_copies_what_exists_and_sets_what_the_bot_reads() -> None:
    instructions = dockerfile()
    for keyword, arguments in instructions:
        if keyword == "COPY":
            *sources, _target = shlex.split(arguments)
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    names: set[str] = set()
    for keyword, arguments in instructions:
        if keyword == "ENV":
            names |= {pair.split("=", 1)[0] for pair in shlex.split(arguments)}
    assert_known(names)
    [command] = [json.loads(arguments) for keyword, arguments in instructions if keyword == "CMD"]
    assert_commands(" ".join(command))


def test_the_health_check_asks_the_health_endpoint() -> None:
    [check] = [arguments for keyword, arguments in dockerfile() if keyword == "HEALTHCHECK"]
    options, _, command = check.partition(" CMD ")
    assert "--interval=" in options
    program = json.loads(command)
    assert program[:2] == ["python", "-c"]
    compile(program[2], "HEALTHCHECK", "exec")
    assert "/healthz" in program[2] and "METRICS_PORT" in program[2]


# --- compose.yaml -----------------------------------------------------------------------


def parse_yaml(text: str) -> Any:
    """PyYAML where it is installed; else the block subset compose.yaml keeps to (mappings,
    lists of scalars, plain or quoted scalars)."""
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        pass
    else:
        return yaml.safe_load(text)
    lines = []
    for raw in text.splitlines():
        content = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if content.strip():
            assert "\t" not in raw[: len(raw) - len(raw.lstrip())], "a tab in the indentation"
            lines.append((len(content) - len(content.lstrip()), content.strip()))

    def scalar(value: str) -> str | int:
        assert not value.startswith(("{", "[", "&", "*", "|", ">")), f"not in the subset: {value}"
        if value.isdigit():
            return int(value)
        return value[1:-1] if value[:1] in "'\"" and value[-1:] == value[:1] else value

    def block(i: int, indent: int) -> tuple[Any, int]:
        if lines[i][1].startswith("- "):
            items = []
            while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
                items.append(scalar(lines[i][1][2:].strip()))
                i += 1
            return items, i
        mapping: dict[str, Any] = {}
        while i < len(lines) and lines[i][0] == indent:
            key, colon, rest = lines[i][1].partition(":")
            assert colon and key not in mapping, f"line {lines[i][1]!r}"
            i += 1
            if rest.strip():
                mapping[key] = scalar(rest.strip())
            elif i < len(lines) and lines[i][0] > indent:
                mapping[key], i = block(i, lines[i][0])
            else:
                mapping[key] = None
        return mapping, i

    parsed, end = block(0, 0)
    assert end == len(lines), f"unparsed from {lines[end]!r}"
    return parsed


@pytest.fixture
def compose() -> dict[str, Any]:
    parsed = parse_yaml((DEPLOY / "compose.yaml").read_text())
    assert isinstance(parsed, dict)
    return parsed


def test_compose_runs_the_bot_with_postgresql_on_a_named_volume(compose: dict[str, Any]) -> None:
    services = compose["services"]
    database, bot = services["db"], services["bot"]
    assert database["image"].startswith("postgres:")
    [data] = database["volumes"]
    volume, _, mounted = data.partition(":")
    assert volume in compose["volumes"] and mounted == "/var/lib/postgresql/data"
    assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).resolve() == (
        DEPLOY / "Dockerfile"
    )
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@db:5432/" in bot["environment"]["DATABASE_URL"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert_known(set(bot["environment"]))
    assert_commands(" ".join(bot["command"]))
    for mount in bot["volumes"]:
        assert mount.partition(":")[0] in compose["volumes"]


# --- systemd ------------------------------------------------------------------------------


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A unit file: section -> key -> every value given (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, line in enumerate((DEPLOY / name).read_text().splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if re.fullmatch(r"\[[A-Za-z]+\]", stripped):
            current = sections.setdefault(stripped[1:-1], {})
            continue
        key, equals, value = stripped.partition("=")
        assert current is not None and equals and re.fullmatch(r"[A-Za-z]+", key), (
            f"{name}:{number}: {line!r}"
        )
        current.setdefault(key, []).append(value)
    return sections


@pytest.mark.parametrize("name", ["gemeinsam@.service", "gemeinsam-migrate.service"])
def test_the_systemd_units_are_hardened_and_run_known_commands(name: str) -> None:
    service = unit(name)["Service"]
    assert service["DynamicUser"] == ["yes"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["StateDirectory"] == ["gemeinsam"]
    assert service["NoNewPrivileges"] == ["yes"]
    assert_commands(" ".join(service["ExecStart"]))
    assert_known({value.split("=", 1)[0] for value in service.get("Environment", [])})
    for value in service.get("Environment", []):
        path = value.partition("=")[2].removeprefix("sqlite+aiosqlite:///")
        if path.startswith("/var/lib/"):
            assert path.startswith("/var/lib/gemeinsam/"), "outside the state directory"


def test_the_bot_units_migrate_first() -> None:
    bot = unit("gemeinsam@.service")["Unit"]
    assert "gemeinsam-migrate.service" in bot["Requires"][0]
    assert "gemeinsam-migrate.service" in bot["After"][0]
    assert unit("gemeinsam@.service")["Service"]["Environment"].count("WEBHOOK_PORT=%i") == 1


# --- reverse proxies ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Caddyfile", "nginx.conf"])
def test_the_reverse_proxy_spreads_the_webhook_over_two_processes(name: str) -> None:
    text = (DEPLOY / name).read_text()
    assert text.count("{") == text.count("}"), "unbalanced braces"
    assert "127.0.0.1:8443" in text and "127.0.0.1:8444" in text
    assert "/telegram-hook" in text and "WEBHOOK_URL=https://bot.example.org/telegram-hook" in text
    assert {"WEBHOOK_LISTEN", "WEBHOOK_PORT"} <= set(variable_names())
