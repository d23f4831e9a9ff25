"""Load Peerkeeper's configuration from `configuration.py` and `PEERKEEPER_*` variables.

Every setting has one declaration below: its parser, its default and a sentence that
explains what a valid value looks like. Environment variables override the file, the file
overrides the default. Anything wrong stops start-up with a single `ConfigurationError`
sentence that names the setting and where its value came from.
"""

from __future__ import annotations

import difflib
import importlib.util
import ipaddress
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CONFIGURATION_FILE = BASE_DIR / "peerkeeper" / "configuration.py"
ENV_PREFIX = "PEERKEEPER_"
# Variables that share the prefix but configure tooling rather than the application.
ENV_NOT_SETTINGS = (
    "PEERKEEPER_CONFIGURATION",
    "PEERKEEPER_LAB_",
    "PEERKEEPER_REQUIRE_",
    "PEERKEEPER_IRRD_",  # the local IRRd of the tests and the demo (irr/irrd_server.py)
    "PEERKEEPER_UPDATE_GOLDEN",  # the golden-file tests write their files (docs/development.md)
)


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message is one sentence for the user."""


class _Invalid(ValueError):
    """Raised by parsers; the loader adds the setting's name and origin."""


REQUIRED = object()


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[Any], Any]
    default: Any = REQUIRED
    # How to turn an environment string into the Python value the parser expects.
    from_env: Callable[[str], Any] = str


# Parsers: each takes the raw value and returns the cleaned one or raises _Invalid.


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("must be a string")
    return value


def _secret_key(value: Any) -> str:
    value = _string(value)
    if len(value) < 32:
        raise _Invalid("must be a random string of at least 32 characters")
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _Invalid("must be True or False")


def _env_boolean(text: str) -> bool | str:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    return text  # the parser rejects it with the right sentence


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _Invalid("must be a positive whole number")
    return value


def _env_int(text: str) -> int | str:
    try:
        return int(text.strip())
    except ValueError:
        return text


def _string_list(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise _Invalid("must be a list of strings")
    if not all(isinstance(item, str) and item for item in value):
        raise _Invalid("must be a list of non-empty strings")
    return list(value)


def _networks(value: Any) -> list[str]:
    networks = _string_list(value)
    for item in networks:
        try:
            ipaddress.ip_network(item)
        except ValueError:
            raise _Invalid(
                f"must be a list of networks like 198.18.0.0/15 ({item!r} is not one)"
            ) from None
    return networks


def _env_list(text: str) -> Any:
    if text.strip().startswith("["):
        return _env_json(text)
    return [item.strip() for item in text.split(",") if item.strip()]


def _env_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Invalid(f"is not valid JSON ({exc.msg} at character {exc.pos})") from None


def _json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid("must be a dictionary (a JSON object in the environment)")
    return dict(value)


def _encryption_keys(value: Any) -> list[str]:
    keys = _string_list(value)
    if not keys:
        raise _Invalid("must list at least one key")
    for position, key in enumerate(keys):
        try:
            Fernet(key.encode())
        except ValueError:
            raise _Invalid(
                f"entry {position + 1} is not a valid key (32 url-safe base64-encoded bytes); "
                "generate one with `manage.py generate_encryption_key`"
            ) from None
    return keys


def _database_url(value: Any) -> str:
    value = _string(value)
    try:
        dj_database_url.parse(value)
    except ValueError as exc:
        raise _Invalid(f"is not a usable database URL ({exc})") from None
    if not re.match(r"^(postgres|postgresql|pgsql|sqlite)://", value):
        raise _Invalid("must start with postgresql:// or sqlite:///")
    return value


def _log_level(value: Any) -> str:
    value = _string(value).upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise _Invalid("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return value


def _redis_url(value: Any) -> str:
    value = _string(value)
    if not re.match(r"^rediss?://", value):
        raise _Invalid("must start with redis:// or rediss://")
    return value


def _non_negative_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Invalid("must be a whole number, 0 or more")
    return value


# What TASKS_BACKEND may name, and the django-tasks backend class each one is.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}


def _tasks_backend(value: Any) -> str:
    value = _string(value).strip().lower()
    if value not in TASK_BACKENDS:
        raise _Invalid(f"must be one of {', '.join(TASK_BACKENDS)}")
    return value


def _queue_name(value: Any) -> str:
    value = _string(value)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}", value):
        raise _Invalid("must be 1 to 32 letters, digits, dots, dashes or underscores")
    return value


def _http_url(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("must be an http:// or https:// URL")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises for a port out of range or not a number
    except ValueError as exc:
        raise _Invalid(f"is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise _Invalid("must be an http:// or https:// URL")
    if not parts.hostname:
        raise _Invalid("must name a host")
    if parts.query or parts.fragment:
        raise _Invalid("must not have a query or fragment (?… or #…)")
    return value.rstrip("/")


def _irr_host(value: Any) -> str:
    value = _string(value).strip()
    host, _, port = value.partition(":")
    if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252})", host) or (
        port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536)
    ):
        raise _Invalid("must be a host name or IPv4 address, optionally with :port")
    return value


def _irr_sources(value: Any) -> list[str]:
    if isinstance(value, list | tuple) and not value:
        return []
    sources = _string_list(value)
    for item in sources:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", item):
            raise _Invalid(f"must be a list of IRR source names like RIPE ({item!r} is not one)")
    return [item.upper() for item in sources]


def _api_key(value: Any) -> str:
    """A key sent in an HTTP header: printable ASCII without spaces once the surrounding
    blanks (a newline from a file) are removed. The message never quotes the key."""
    if not isinstance(value, str):
        raise _Invalid("must be text")
    key = value.strip()
    if not re.fullmatch(r"[\x21-\x7e]*", key):
        raise _Invalid(
            "must be printable ASCII without spaces, as PeeringDB issues keys (not shown here)"
        )
    return key


def _path(value: Any) -> Path:
    if not isinstance(value, str | Path) or not str(value):
        raise _Invalid("must be a directory path")
    return Path(value).expanduser().resolve()


SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", _secret_key),
    Setting("CREDENTIALS_ENCRYPTION_KEYS", _encryption_keys, from_env=_env_list),
    Setting("DEBUG", _boolean, False, _env_boolean),
    Setting("ALLOWED_HOSTS", _string_list, ["localhost", "127.0.0.1", "[::1]"], _env_list),
    Setting("CSRF_TRUSTED_ORIGINS", _string_list, [], _env_list),
    Setting("DATA_DIR", _path, str(BASE_DIR / "data")),
    Setting("DATABASE_URL", _database_url, None),
    Setting("DATABASE", _json_object, None, _env_json),
    Setting("REDIS_URL", _redis_url, "redis://127.0.0.1:6379/0"),
    Setting("TASKS_BACKEND", _tasks_backend, "database"),
    Setting("JOB_QUEUE", _queue_name, "peerkeeper"),
    Setting("JOB_TIME_LIMIT", _positive_int, 600, _env_int),
    Setting("JOB_RETENTION_DAYS", _non_negative_int, 90, _env_int),
    Setting("CHANGELOG_RETENTION_DAYS", _non_negative_int, 365, _env_int),
    Setting("TIME_ZONE", _string, "UTC"),
    Setting("LOG_LEVEL", _log_level, "INFO"),
    Setting("NAPALM_USERNAME", _string, ""),
    Setting("NAPALM_PASSWORD", _string, ""),
    Setting("NAPALM_TIMEOUT", _positive_int, 30, _env_int),
    Setting("NAPALM_ARGS", _json_object, {}, _env_json),
    Setting("NAPALM_MAX_WORKERS", _positive_int, 16, _env_int),
    Setting("LOCAL_ONLY_NETWORKS", _networks, ["198.18.0.0/15"], _env_list),
    Setting("PEERINGDB_URL", _http_url, "https://www.peeringdb.com/api"),
    Setting("PEERINGDB_API_KEY", _api_key, ""),
    Setting("PEERINGDB_TIMEOUT", _positive_int, 30, _env_int),
    Setting("PEERINGDB_MAX_WAIT", _positive_int, 300, _env_int),
    Setting("IRR_HOST", _irr_host, "rr.ntt.net"),
    Setting(
        "IRR_SOURCES",
        _irr_sources,
        ["RPKI", "AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE"],
        _env_list,
    ),
    Setting("IRR_MAX_PREFIXES", _non_negative_int, 50_000, _env_int),
    Setting("IRR_TIMEOUT", _positive_int, 60, _env_int),
    Setting("IRR_ALLOW_PRIVATE_ASNS", _boolean, False, _env_boolean),
    Setting("RENDER_TIME_LIMIT", _positive_int, 10, _env_int),
    Setting("RENDER_MAX_OUTPUT", _positive_int, 20_000_000, _env_int),
    Setting("RENDER_MEMORY_LIMIT", _positive_int, 1024, _env_int),
)
SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}
# Unprefixed variables that twelve-factor tooling sets, and the setting each one is.
ENV_ALIASES = {"DATABASE_URL": "DATABASE_URL"}


def _suggestion(name: str) -> str:
    close = difflib.get_close_matches(name, SETTINGS_BY_NAME, n=1)
    return f"; did you mean {close[0]}?" if close else ""


def _load_module(path: Path) -> ModuleType | None:
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("peerkeeper_configuration", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise ConfigurationError(f"{path} line {exc.lineno}: {exc.msg}.") from None
    except Exception as exc:  # any error in the user's file is reported plainly
        raise ConfigurationError(f"{path} could not be loaded: {exc}.") from None
    return module


def _file_values(path: Path) -> dict[str, Any]:
    module = _load_module(path)
    if module is None:
        return {}
    values = {name: getattr(module, name) for name in dir(module) if name.isupper()}
    for name in values:
        if name not in SETTINGS_BY_NAME:
            raise ConfigurationError(f"Unknown setting {name} in {path}{_suggestion(name)}")
    return values


def _env_values(environ: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Map setting name to (raw text, variable name) for every variable that sets one."""
    found: dict[str, tuple[str, str]] = {}
    for variable, text in environ.items():
        if not variable.startswith(ENV_PREFIX) or variable.startswith(ENV_NOT_SETTINGS):
            continue
        name = variable.removeprefix(ENV_PREFIX)
        if name not in SETTINGS_BY_NAME:
            raise ConfigurationError(
                f"Unknown setting in environment variable {variable}{_suggestion(name)}"
            )
        found[name] = (text, variable)
    for variable, name in ENV_ALIASES.items():
        if variable in environ and name not in found:
            found[name] = (environ[variable], variable)
    return found


def configuration_path(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("PEERKEEPER_CONFIGURATION") or DEFAULT_CONFIGURATION_FILE)


def load_configuration(
    path: Path | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Return every setting's value: environment, else file, else default."""
    environ = os.environ if environ is None else environ
    path = configuration_path(environ) if path is None else path
    from_file = _file_values(path)
    from_env = _env_values(environ)
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in from_env:
            text, variable = from_env[setting.name]
            origin = f"environment variable {variable}"
            try:
                raw = setting.from_env(text)
            except _Invalid as exc:
                raise ConfigurationError(f"{setting.name} {exc} (from {origin}).") from None
        elif setting.name in from_file:
            raw, origin = from_file[setting.name], str(path)
        elif setting.default is REQUIRED:
            raise ConfigurationError(
                f"{setting.name} is not set: add it to {path} "
                f"or set the environment variable {ENV_PREFIX}{setting.name}."
            )
        else:
            default = setting.default
            values[setting.name] = None if default is None else setting.parse(default)
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except _Invalid as exc:
            raise ConfigurationError(f"{setting.name} {exc} (from {origin}).") from None
    if values["DATABASE_URL"] and values["DATABASE"]:
        raise ConfigurationError("Set either DATABASE_URL or DATABASE, not both.")
    return values


def database_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """Django's DATABASES['default'] from DATABASE_URL, a DATABASE dict, or embedded SQLite."""
    if values["DATABASE"]:
        database = {"ENGINE": "django.db.backends.postgresql", **values["DATABASE"]}
        if "NAME" not in database:
            raise ConfigurationError("DATABASE must name the database in its NAME key.")
    else:
        url = values["DATABASE_URL"] or f"sqlite:///{values['DATA_DIR'] / 'peerkeeper.sqlite3'}"
        database = dj_database_url.parse(url, conn_max_age=300, conn_health_checks=True)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL and IMMEDIATE transactions let the web server and a worker share the file.
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            **database.get("OPTIONS", {}),
        }
        # A file, not memory, so that tests can run worker processes against it.
        database["TEST"] = {"NAME": str(values["DATA_DIR"] / "test.sqlite3")}
    return database


# Seconds RQ waits beyond JOB_TIME_LIMIT before it kills a job's process itself: the job's
# own limit fires first and records a clear failure.
RQ_KILL_GRACE = 60


def tasks_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """django-tasks' TASKS: the chosen backend, serving only Peerkeeper's queue."""
    return {
        "default": {
            "BACKEND": TASK_BACKENDS[values["TASKS_BACKEND"]],
            "QUEUES": [values["JOB_QUEUE"]],
        }
    }


def rq_queues(values: Mapping[str, Any]) -> dict[str, Any]:
    """django-rq's RQ_QUEUES: Peerkeeper's queue on REDIS_URL.

    django-tasks-rq 0.12 reads results through the connection of a queue named "default"
    whatever the task's queue is, so that name is declared too, on the same Redis (no
    job is ever put on it)."""
    queue = {
        "URL": values["REDIS_URL"],
        "DEFAULT_TIMEOUT": values["JOB_TIME_LIMIT"] + RQ_KILL_GRACE,
    }
    return {"default": queue, values["JOB_QUEUE"]: queue}
