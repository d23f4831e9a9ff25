"""One emulated EOS router: runs the eAPI commands NAPALM's eos driver sends.

Responses are cached as encoded JSON fragments (one element of the JSON-RPC
`result` list) per command: facts for ever, BGP state per epoch, configuration
output until the configuration changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.fleet import eos_show
from bench.fleet.config import (
    ConfigEditor,
    ConfigNode,
    InvalidInput,
    config_diff,
    initial_config,
    running_config_text,
)
from bench.fleet.model import FaultKind, FleetSpec, SessionInfo

JSON = "json"
TEXT = "text"

_EMPTY = {JSON: b"{}", TEXT: b'{"output":""}'}
_COPY_DONE = "Copy completed successfully.\n"
MULTI_AGENT_PROBE = "show running-config | include service routing protocols model multi-agent"
_SHOW_INCLUDE = re.compile(r"^show running-config \| include (?P<pattern>.+)$")
_SHOW_SESSION = re.compile(r"^show session-config named (?P<name>\S+)(?P<diffs> diffs)?$")
_CONFIGURE_SESSION = re.compile(r"^configure session (?P<name>\S+)(?: (?P<action>commit|abort))?$")
_SHOW_ONE_NEIGHBOR = re.compile(
    r"^show (?P<family>ip bgp neighbors|ipv6 bgp peers) (?P<address>\S+) vrf all$"
)
_FAMILY_OF_COMMAND = {"ip bgp neighbors": 4, "ipv6 bgp peers": 6}


class CommandFailed(Exception):
    """A command the router rejects; turns into a JSON-RPC error response."""

    def __init__(self, code: int, reason: str, errors: list[str]) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.errors = errors


@dataclass
class ConfigSession:
    name: str
    tree: ConfigNode
    state: str = "pending"  # pending, then completed once committed


@dataclass
class RunResult:
    results: list[bytes]  # encoded result of each command that ran
    failure: CommandFailed | None = None
    failed_command: str = ""
    failed_position: int = 0


def _encode(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _text(output: str) -> bytes:
    return _encode({"output": output})


def _invalid(command: str) -> CommandFailed:
    tokens = command.split(" ")
    # "show <unknown>" fails at its second word, anything else at its first.
    at = 1 if tokens[0] == "show" and len(tokens) > 1 else 0
    error = f"Invalid input (at token {at}: '{tokens[at]}')"
    return CommandFailed(1002, "invalid command", [error])


class EmulatedRouter:
    def __init__(self, spec: FleetSpec, index: int, boot_time: float) -> None:
        self.spec = spec
        self.index = index
        self.info = spec.router(index)
        self.fault: FaultKind | None = spec.fault(index)
        self.boot_time = boot_time - 86_400 * (1 + index % 30)
        self.vrfs = spec.vrfs_of(index)
        self._sessions: list[SessionInfo] | None = None
        self._running: ConfigNode | None = None
        self._startup: str | None = None
        self.config_sessions: dict[str, ConfigSession] = {}
        self._static: dict[tuple[str, str], bytes] = {}
        self._by_epoch: dict[tuple[str, str], bytes] = {}
        self._cached_epoch = -1
        self._peers_cache: dict[tuple[int, int], list[eos_show.Peer]] = {}
        self._by_config: dict[tuple[str, str], bytes] = {}
        self._epoch_renderers: dict[tuple[str, str], Callable[[int], bytes]] = {
            ("show ip bgp summary vrf all", JSON): lambda e: self._summary(4, e),
            ("show ipv6 bgp summary vrf all", JSON): lambda e: self._summary(6, e),
            ("show ip bgp neighbors vrf all", JSON): lambda e: self._neighbors(4, e),
            ("show ipv6 bgp peers vrf all", JSON): lambda e: self._neighbors(6, e),
            ("show ip bgp neighbors vrf all", TEXT): lambda e: self._neighbors_text(4, e),
            ("show ipv6 bgp peers vrf all", TEXT): lambda e: self._neighbors_text(6, e),
        }
        self._static_renderers: dict[tuple[str, str], Callable[[], object]] = {
            ("show version", JSON): lambda: eos_show.show_version(self.info, self.boot_time),
            ("show hostname", JSON): lambda: eos_show.show_hostname(self.info),
            ("show interfaces", JSON): lambda: eos_show.show_interfaces(self.info, self.boot_time),
            ("show version", TEXT): lambda: {"output": eos_show.show_version_text(self.info)},
            ("show hostname", TEXT): lambda: {"output": eos_show.show_hostname_text(self.info)},
        }

    # --- state -----------------------------------------------------------------------------

    @property
    def sessions(self) -> list[SessionInfo]:
        if self._sessions is None:
            self._sessions = self.spec.sessions_of(self.index)
        return self._sessions

    @property
    def running(self) -> ConfigNode:
        """The running configuration, kept from the first time it is edited or compared."""
        if self._running is None:
            self._running = self._boot_config()
        return self._running

    def _boot_config(self) -> ConfigNode:
        return initial_config(self.info, self.sessions, self.vrfs)

    def running_config(self) -> str:
        # A router nobody configured renders its boot configuration without keeping the tree:
        # a thousand unused trees would cost hundreds of megabytes.
        return running_config_text(self.info, self._running or self._boot_config())

    def reset_config(self) -> None:
        self._running = None
        self._startup = None
        self.config_sessions.clear()
        self._by_config.clear()

    def warm(self, epoch: int) -> None:
        """Render the responses a poll asks for, so that serving them is a lookup."""
        for command, fmt in self._epoch_renderers:
            self._epoch_output(command, fmt, epoch)
        self._static_output("show version", JSON)
        self._config_output(MULTI_AGENT_PROBE, TEXT)

    # --- command execution -----------------------------------------------------------------

    def run(self, commands: Sequence[object], fmt: str, epoch: int) -> RunResult:
        """Run an eAPI runCmds request; stops at the first failing command like EOS."""
        results: list[bytes] = []
        editor: ConfigEditor | None = None
        session: ConfigSession | None = None
        for position, raw in enumerate(commands, start=1):
            command = raw.get("cmd", "") if isinstance(raw, dict) else str(raw)
            command = " ".join(command.split())
            try:
                match = _CONFIGURE_SESSION.match(command)
                if session is not None and command in ("commit", "abort"):
                    match = _CONFIGURE_SESSION.match(f"configure session {session.name} {command}")
                if match and match["action"]:
                    editor = session = None
                    results.append(self._finish_session(match["name"], match["action"], fmt))
                elif match:
                    session = self._open_session(match["name"])
                    editor = ConfigEditor(session.tree)
                    results.append(_EMPTY[fmt])
                elif command in ("configure", "configure terminal"):
                    editor, session = ConfigEditor(self.running), None
                    results.append(_EMPTY[fmt])
                elif editor is not None and not command.startswith("show "):
                    editor = self._edit(editor, session, command)
                    results.append(_EMPTY[fmt])
                else:
                    results.append(self._exec(command, fmt, epoch))
            except CommandFailed as failure:
                return RunResult(results, failure, command, position)
        return RunResult(results)

    def _edit(
        self, editor: ConfigEditor, session: ConfigSession | None, command: str
    ) -> ConfigEditor | None:
        """Apply one configuration-mode command; returns the editor still in use, if any."""
        if command == "end":
            return None
        if command == "rollback clean-config" and session is not None:
            session.tree = ConfigNode("")
            return ConfigEditor(session.tree)
        try:
            editor.apply(command)
        except InvalidInput:
            raise _invalid(command) from None
        if session is None:
            self._by_config.clear()  # `configure terminal` edits the running config itself
        return editor

    def _exec(self, command: str, fmt: str, epoch: int) -> bytes:
        if command == "enable":
            return _EMPTY[fmt]
        if (command, fmt) in self._epoch_renderers:
            return self._epoch_output(command, fmt, epoch)
        if (command, fmt) in self._static_renderers:
            return self._static_output(command, fmt)
        if (command, JSON) in self._epoch_renderers or (command, JSON) in self._static_renderers:
            self._require(JSON, fmt, command)
        if command.startswith("show "):
            return self._show(command, fmt, epoch)
        if command == "copy startup-config flash:rollback-0":
            return _text(_COPY_DONE) if fmt == TEXT else _EMPTY[JSON]
        if command in ("write memory", "write", "copy running-config startup-config"):
            self._startup = self.running_config()
            self._by_config.clear()
            return _text(_COPY_DONE) if fmt == TEXT else _EMPTY[JSON]
        raise _invalid(command)

    def _show(self, command: str, fmt: str, epoch: int) -> bytes:
        if command in ("show configuration sessions", "show configuration sessions detail"):
            self._require(JSON, fmt, command)
            return _encode(self._sessions_table())
        match = _SHOW_ONE_NEIGHBOR.match(command)
        if match:
            return self._one_neighbor(
                _FAMILY_OF_COMMAND[match["family"]], match["address"], fmt, epoch
            )
        match = _SHOW_SESSION.match(command)
        if match:
            self._require(TEXT, fmt, command)
            session = self.config_sessions.get(match["name"])
            if session is None:
                raise CommandFailed(1002, "could not run command", ["Session not found"])
            if match["diffs"]:
                return _text(config_diff(self.running, session.tree, session.name))
            return _text(running_config_text(self.info, session.tree))
        if command in ("show running-config", "show startup-config") or _SHOW_INCLUDE.match(
            command
        ):
            self._require(TEXT, fmt, command)
            return self._config_output(command, fmt)
        raise _invalid(command)

    @staticmethod
    def _require(expected: str, fmt: str, command: str) -> None:
        if fmt != expected:
            raise CommandFailed(
                1003, f"{fmt} output not available", [f"'{command}' is only emulated as {expected}"]
            )

    # --- cached output ---------------------------------------------------------------------

    def _epoch_output(self, command: str, fmt: str, epoch: int) -> bytes:
        if epoch != self._cached_epoch:
            self._by_epoch.clear()
            self._cached_epoch = epoch
        key = (command, fmt)
        cached = self._by_epoch.get(key)
        if cached is None:
            cached = self._by_epoch[key] = self._epoch_renderers[key](epoch)
        return cached

    def _static_output(self, command: str, fmt: str) -> bytes:
        key = (command, fmt)
        cached = self._static.get(key)
        if cached is None:
            cached = self._static[key] = _encode(self._static_renderers[key]())
        return cached

    def _config_output(self, command: str, fmt: str) -> bytes:
        key = (command, fmt)
        cached = self._by_config.get(key)
        if cached is None:
            cached = self._by_config[key] = _text(self._config_text(command))
        return cached

    def _config_text(self, command: str) -> str:
        if command == "show startup-config":
            return self._startup if self._startup is not None else self.running_config()
        text = self.running_config()
        match = _SHOW_INCLUDE.match(command)
        if match is None:
            return text
        try:
            pattern = re.compile(match["pattern"])
        except re.error as error:
            raise CommandFailed(1002, "invalid regular expression", [str(error)]) from error
        return "".join(line + "\n" for line in text.splitlines() if pattern.search(line))

    # --- BGP -------------------------------------------------------------------------------

    def _peers(self, family: int, epoch: int) -> list[eos_show.Peer]:
        key = (family, epoch)
        peers = self._peers_cache.get(key)
        if peers is None:
            self._peers_cache = {k: v for k, v in self._peers_cache.items() if k[1] == epoch}
            peers = self._peers_cache[key] = [
                (session, self.spec.state(session, epoch))
                for session in self.sessions
                if session.address_family == family
            ]
        return peers

    def _summary(self, family: int, epoch: int) -> bytes:
        peers = self._peers(family, epoch)
        return _encode(eos_show.bgp_summary(self.info, self.vrfs, peers, epoch))

    def _neighbors(self, family: int, epoch: int) -> bytes:
        return _encode(eos_show.bgp_neighbors(self.info, self.vrfs, self._peers(family, epoch)))

    def _neighbors_text(self, family: int, epoch: int) -> bytes:
        return _text(eos_show.bgp_neighbors_text(self.info, self._peers(family, epoch)))

    def _one_neighbor(self, family: int, address: str, fmt: str, epoch: int) -> bytes:
        peers = [peer for peer in self._peers(family, epoch) if peer[0].neighbor_ip == address]
        if fmt == TEXT:
            return _text(eos_show.bgp_neighbors_text(self.info, peers))
        return _encode(eos_show.bgp_neighbors(self.info, self.vrfs, peers))

    # --- configuration sessions ------------------------------------------------------------

    def _open_session(self, name: str) -> ConfigSession:
        session = self.config_sessions.get(name)
        if session is None:
            session = self.config_sessions[name] = ConfigSession(name, self.running.copy())
        elif session.state != "pending":
            raise CommandFailed(
                1002, "could not run command", [f"Cannot enter session {name} (already committed)"]
            )
        return session

    def _finish_session(self, name: str, action: str, fmt: str) -> bytes:
        session = self.config_sessions.get(name)
        if session is None or session.state != "pending":
            raise CommandFailed(1002, "could not run command", [f"Session {name} not found"])
        if action == "commit":
            self._running = session.tree
            self._by_config.clear()
            session.state = "completed"
            # Keep the pending sessions and only the latest completed one, as EOS does.
            self.config_sessions = {
                key: value
                for key, value in self.config_sessions.items()
                if value.state == "pending" or key == name
            }
        else:
            del self.config_sessions[name]
        return _EMPTY[fmt]

    def _sessions_table(self) -> dict[str, object]:
        return {
            "sessions": {
                name: {"state": session.state, "commitUser": "", "description": "", "instances": {}}
                for name, session in self.config_sessions.items()
            },
            "maxSavedSessions": 1,
            "maxOpenSessions": 5,
        }
