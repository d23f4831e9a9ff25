"""The driver's optional_args, checked once when the driver is created.

Keys the driver does not know are ignored: NAPALM_ARGS is often shared by routers of
several platforms.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from typing import Any

DEFAULT_CONFIG_FILE = "/etc/bird/bird.conf"
INCLUDE_NAME = "napalm-bird.conf"
STATE_SUBDIR = "napalm-bird"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class DriverOptions:
    """Where BIRD and the driver's files are on the router, and how to log in."""

    port: int = 22
    key_file: str | None = None
    key_passphrase: str | None = None
    allow_agent: bool = False
    ssh_strict: bool = False
    known_hosts_file: str | None = None
    sudo: bool = False
    birdc_command: str = "birdc"
    birdc_socket: str | None = None
    config_file: str = DEFAULT_CONFIG_FILE
    include_file: str = ""
    state_dir: str = ""

    @classmethod
    def from_args(cls, optional_args: dict[str, Any] | None) -> DriverOptions:
        """Raises ValueError (naming the key) for a value that cannot be used."""
        args = optional_args or {}
        config_file = _router_path(args, "config_file", DEFAULT_CONFIG_FILE)
        config_dir = posixpath.dirname(config_file)
        include_file = _router_path(args, "include_file", posixpath.join(config_dir, INCLUDE_NAME))
        if include_file == config_file:
            raise ValueError("optional_args['include_file'] must not be the config_file itself.")
        return cls(
            port=_port(args.get("port", 22)),
            key_file=_local_path(args.get("key_file")),
            key_passphrase=args.get("key_passphrase") or None,
            allow_agent=_flag(args, "allow_agent"),
            ssh_strict=_flag(args, "ssh_strict"),
            known_hosts_file=_local_path(args.get("known_hosts_file")),
            sudo=_flag(args, "sudo"),
            birdc_command=str(args.get("birdc_command") or "birdc"),
            birdc_socket=_router_path(args, "birdc_socket", None),
            config_file=config_file,
            include_file=include_file,
            state_dir=_router_path(args, "state_dir", posixpath.join(config_dir, STATE_SUBDIR)),
        )


def _flag(args: dict[str, Any], name: str) -> bool:
    value = args.get(name, False)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"optional_args[{name!r}] must be true or false, not {value!r}.")


def _port(value: Any) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = 0
    if not 0 < port < 65536:
        raise ValueError(f"optional_args['port'] must be a TCP port number, not {value!r}.")
    return port


def _local_path(value: Any) -> str | None:
    return os.path.expanduser(str(value)) if value else None


def _router_path(args: dict[str, Any], name: str, default: str | None) -> Any:
    """A path on the router: absolute (the driver's commands run from any directory) and
    without a double quote (BIRD's file names are quoted strings)."""
    value = args.get(name) or default
    if value is None:
        return None
    text = str(value)
    if not posixpath.isabs(text) or '"' in text or "\n" in text:
        raise ValueError(
            f"optional_args[{name!r}] must be an absolute path without quotes, not {value!r}."
        )
    return posixpath.normpath(text)
