"""The driver's optional_args, checked once when the driver is created.

Keys the driver does not know are ignored: NAPALM_ARGS is often shared by routers of
several platforms.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from napalm_frr.ssh_options import SSHOptions, ssh_fields

DEFAULT_CONFIG_FILE = "/etc/bird/bird.conf"
INCLUDE_NAME = "napalm-bird.conf"
STATE_SUBDIR = "napalm-bird"


@dataclass(frozen=True)
class DriverOptions(SSHOptions):
    """Where BIRD and the driver's files are on the router (and SSHOptions: how to log in)."""

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
            **ssh_fields(args),
            birdc_command=str(args.get("birdc_command") or "birdc"),
            birdc_socket=_router_path(args, "birdc_socket", None),
            config_file=config_file,
            include_file=include_file,
            state_dir=_router_path(args, "state_dir", posixpath.join(config_dir, STATE_SUBDIR)),
        )


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
