"""The driver's optional_args, checked once when the driver is created.

Keys the driver does not know are ignored: NAPALM_ARGS is often shared by
routers of several platforms.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from napalm_frr.ssh_options import SSHOptions, ssh_fields

DEFAULT_CONFIG_FILE = "/etc/frr/frr.conf"
DEFAULT_FRR_RELOAD = "/usr/lib/frr/frr-reload.py"
STATE_SUBDIR = "napalm-frr"


@dataclass(frozen=True)
class DriverOptions(SSHOptions):
    """Where FRR and the driver's files are on the router (and SSHOptions)."""

    vtysh_command: str = "vtysh"
    vty_socket: str | None = None
    config_file: str = DEFAULT_CONFIG_FILE
    frr_reload: str = DEFAULT_FRR_RELOAD
    state_dir: str = ""

    run_dir: str = ""

    @property
    def config_dir(self) -> str:
        return posixpath.dirname(self.config_file)

    @classmethod
    def from_args(cls, optional_args: dict[str, Any] | None) -> DriverOptions:
        args = optional_args or {}
        config_file = _config_file(args)
        state_dir = _router_path(
            args, "state_dir", posixpath.join(posixpath.dirname(config_file), STATE_SUBDIR)
        )
        return cls(
            **ssh_fields(args),
            vtysh_command=str(args.get("vtysh_command") or "vtysh"),
            vty_socket=_router_path(args, "vty_socket", None),
            config_file=config_file,
            frr_reload=_router_path(args, "frr_reload", DEFAULT_FRR_RELOAD),
            state_dir=state_dir,
            run_dir=_router_path(args, "run_dir", state_dir),
        )


def _config_file(args: dict[str, Any]) -> str:
    """FRR's integrated configuration file, from `config_file` or `config_dir`."""
    config_dir = _router_path(args, "config_dir", None)
    default = posixpath.join(config_dir, "frr.conf") if config_dir else DEFAULT_CONFIG_FILE
    config_file = _router_path(args, "config_file", default)
    if posixpath.basename(config_file) != "frr.conf":
        raise ValueError(
            f"optional_args['config_file'] must name FRR's integrated configuration "
            f"file 'frr.conf' (vtysh saves to <directory>/frr.conf), not {config_file!r}."
        )
    if config_dir and posixpath.dirname(config_file) != config_dir:
        raise ValueError(
            f"optional_args['config_file'] ({config_file}) is not in "
            f"optional_args['config_dir'] ({config_dir})."
        )
    return config_file


def _router_path(args: dict[str, Any], name: str, default: str | None) -> Any:
    """A path on the router: absolute, since the driver's commands run from any directory."""
    value = args.get(name) or default
    if value is not None and not posixpath.isabs(str(value)):
        raise ValueError(f"optional_args[{name!r}] must be an absolute path, not {value!r}.")
    return None if value is None else posixpath.normpath(str(value))
