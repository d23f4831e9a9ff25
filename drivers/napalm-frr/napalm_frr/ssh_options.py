"""optional_args a driver over SSH shares: how to log in, and whether to use sudo.

A driver's options subclass `SSHOptions` (a frozen dataclass) and pass
`ssh_fields(args)` to their constructor. Keys a driver does not know are ignored:
NAPALM_ARGS is often shared by routers of several platforms.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, TypeVar

from napalm_frr.ssh import SSHSettings

OptionsT = TypeVar("OptionsT", bound="SSHOptions")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class SSHOptions:
    """The SSH login and `sudo`; ValueError (naming the key) for a value that cannot be used."""

    port: int = 22
    key_file: str | None = None
    key_passphrase: str | None = None
    allow_agent: bool = False
    ssh_strict: bool = False
    known_hosts_file: str | None = None
    sudo: bool = False

    @classmethod
    def from_args(cls: type[OptionsT], optional_args: dict[str, Any] | None) -> OptionsT:
        """Subclasses add their own fields (and checks) to ssh_fields(args)."""
        return cls(**ssh_fields(optional_args or {}))

    def ssh_settings(
        self, hostname: str, username: str, password: str, timeout: float
    ) -> SSHSettings:
        return SSHSettings(
            hostname=hostname,
            port=self.port,
            username=username,
            password=password,
            timeout=float(timeout),
            key_file=self.key_file,
            key_passphrase=self.key_passphrase,
            allow_agent=self.allow_agent,
            strict_host_key=self.ssh_strict,
            known_hosts_file=self.known_hosts_file,
        )


def ssh_fields(args: dict[str, Any]) -> dict[str, Any]:
    """The SSHOptions fields from optional_args, checked in the order they are listed."""
    return {
        "port": port(args.get("port", 22)),
        "key_file": local_path(args.get("key_file")),
        "key_passphrase": args.get("key_passphrase") or None,
        "allow_agent": flag(args, "allow_agent"),
        "ssh_strict": flag(args, "ssh_strict"),
        "known_hosts_file": local_path(args.get("known_hosts_file")),
        "sudo": flag(args, "sudo"),
    }


def flag(args: dict[str, Any], name: str) -> bool:
    """A boolean, or one of the words 1/0, true/false, yes/no, on/off."""
    value = args.get(name, False)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"optional_args[{name!r}] must be true or false, not {value!r}.")


def port(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 0 < number < 65536:
        raise ValueError(f"optional_args['port'] must be a TCP port number, not {value!r}.")
    return number


def local_path(value: Any) -> str | None:
    """A path on this machine, `~` expanded; None when not given."""
    return os.path.expanduser(str(value)) if value else None
