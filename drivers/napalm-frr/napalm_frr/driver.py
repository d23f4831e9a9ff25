"""NAPALM driver for FRRouting: SSH, vtysh (JSON where FRR has it), frr-reload.py."""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import secrets
import shlex
from dataclasses import dataclass
from typing import Any, Literal

from napalm.base import models
from napalm.base.exceptions import (
    CommandErrorException,
    CommitError,
    MergeConfigException,
    ReplaceConfigException,
)

from napalm_frr import bgp_config, bgp_state, config_text, facts, router
from napalm_frr.merge import merge
from napalm_frr.options import DriverOptions
from napalm_frr.router import RouterSetup, dry_run_changes, frr_errors, without_noise
from napalm_frr.ssh import CommandResult
from napalm_frr.ssh_driver import HOST_FACT_PIECES, SSHDriver

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    kind: Literal["merge", "replace"]
    text: str  # the snippet to merge (as vtysh -m marked it), or the whole configuration


def _one_line(text: str) -> str:
    return " ".join(text.split())


class FRRDriver(SSHDriver[DriverOptions, RouterSetup]):
    """Manage FRRouting over SSH; see the package README for optional_args."""

    options_class = DriverOptions
    _candidate: Candidate | None = None

    def _router_setup(self, lock_wait: int) -> RouterSetup:
        return RouterSetup(
            vtysh_command=self.options.vtysh_command,
            vty_socket=self.options.vty_socket,
            config_file=self.options.config_file,
            state_dir=self.options.state_dir,
            run_dir=self.options.run_dir,
            frr_reload=self.options.frr_reload,
            sudo=self.options.sudo,
            lock_wait=lock_wait,
        )

    def _error_detail(self, output: str) -> str:
        return without_noise(output)

    def _router_message(self, output: str) -> str:
        return without_noise(output)

    def _vtysh(self, *commands: str) -> list[str]:
        pieces = [RouterSetup.vtysh_piece(command) for command in commands]
        return self._batch(pieces, labels=list(commands))

    def _vtysh_json(self, *commands: str) -> list[Any]:
        parsed = []
        for command, output in zip(commands, self._vtysh(*commands), strict=True):
            try:
                parsed.append(json.loads(output) if output.strip() else {})
            except json.JSONDecodeError as exc:
                raise CommandErrorException(
                    f"{command!r} on {self.hostname} did not return JSON: {output[:200]!r}"
                ) from exc
        return parsed

    def _running_config(self) -> str:
        """Exactly what vtysh prints: the merge check on the router hashes the same bytes."""
        return self._vtysh("show running-config no-header")[0]

    # -- getters ------------------------------------------------------------------------

    def get_facts(self) -> models.FactsDict:
        return facts.facts(
            *self._batch(
                [
                    RouterSetup.vtysh_piece("show version"),
                    RouterSetup.vtysh_piece("show interface vrf all brief json"),
                    *HOST_FACT_PIECES,
                ]
            )
        )

    def _bgp_json(self) -> tuple[dict[str, Any], dict[str, Any]]:
        summary, neighbors = self._vtysh_json(
            "show bgp vrf all summary json", "show bgp vrf all neighbors json"
        )
        return summary, neighbors

    def get_bgp_neighbors(self) -> dict[str, models.BGPStateNeighborsPerVRFDict]:
        return bgp_state.bgp_neighbors(*self._bgp_json())

    def get_bgp_neighbors_detail(
        self, neighbor_address: str = ""
    ) -> dict[str, dict[int, list[models.PeerDetailsDict]]]:
        summary, neighbors = self._bgp_json()
        return bgp_state.bgp_neighbors_detail(summary, neighbors, neighbor_address)

    def get_bgp_config(
        self, group: str = "", neighbor: str = ""
    ) -> dict[str, models.BGPConfigGroupDict]:
        return bgp_config.bgp_config(self._running_config(), group, neighbor)

    def get_config(
        self,
        retrieve: str = "all",
        full: bool = False,
        sanitized: bool = False,
        format: str = "text",
    ) -> models.ConfigDict:
        """Running (vtysh), startup (the config file) and candidate; `full` changes nothing,
        FRR has no "show running-config all"."""
        if format != "text":
            raise NotImplementedError(f"FRR configurations are text, not {format!r}.")
        if retrieve not in ("all", "running", "startup", "candidate"):
            raise ValueError(f"retrieve must be all, running, startup or candidate: {retrieve!r}")
        config: models.ConfigDict = {"running": "", "startup": "", "candidate": ""}
        if retrieve in ("all", "running"):
            config["running"] = self._running_config()
        if retrieve in ("all", "startup"):
            path = self.router.config_file
            config["startup"] = self._batch([f"cat {shlex.quote(path)} 2>/dev/null || true"])[0]
        if retrieve in ("all", "candidate") and self._candidate is not None:
            config["candidate"] = self._resulting_config()[1]
        if sanitized:
            config["running"] = config_text.sanitize(config["running"])
            config["startup"] = config_text.sanitize(config["startup"])
            config["candidate"] = config_text.sanitize(config["candidate"])
        return config

    def cli(self, commands: list[str], encoding: str = "text") -> dict[str, str | dict[str, Any]]:
        """vtysh commands; with encoding="json", " json" is added where missing and parsed."""
        if not isinstance(commands, list):
            raise TypeError("cli() takes a list of commands.")
        if encoding not in ("text", "json"):
            raise NotImplementedError(f"{encoding!r} is not a supported encoding.")
        if encoding == "text":
            return dict(zip(commands, self._vtysh(*commands), strict=True))
        with_json = [c if c.rstrip().endswith(" json") else f"{c} json" for c in commands]
        return dict(zip(commands, self._vtysh_json(*with_json), strict=True))

    # -- configuration ------------------------------------------------------------------

    def _check_syntax(self, text: str, error: type[Exception]) -> str:
        """FRR's own syntax check of a configuration; returns it with context ends marked."""
        result = self._run(self.router.check(secrets.token_hex(8)), stdin=text)
        if not result.ok:
            raise error(
                f"FRR rejected the configuration on {self.hostname}: {frr_errors(result.output)}"
            )
        return result.stdout

    def load_merge_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        """Keep a snippet to merge into the running configuration at commit time."""
        text = config_text.strip_header(self._read_candidate(filename, config))
        marked = self._check_syntax(text, MergeConfigException)
        self._candidate = Candidate("merge", marked)

    def load_replace_candidate(
        self, filename: str | None = None, config: str | None = None
    ) -> None:
        """Keep a whole configuration that replaces the running one at commit time."""
        text = config_text.strip_header(self._read_candidate(filename, config))
        if not text.strip():
            raise ReplaceConfigException("An empty configuration cannot replace the running one.")
        self._check_syntax(text, ReplaceConfigException)
        self._candidate = Candidate("replace", text)

    def _resulting_config(self) -> tuple[str, str]:
        """The running configuration and what it becomes when the candidate is committed."""
        if self._candidate is None:
            raise CommitError("No candidate configuration is loaded.")
        running = self._running_config()
        if self._candidate.kind == "merge":
            return running, merge(running, self._candidate.text)
        return running, self._candidate.text

    def _load_error(self) -> type[Exception]:
        if self._candidate is not None and self._candidate.kind == "merge":
            return MergeConfigException
        return ReplaceConfigException

    def _would_change(self, configuration: str) -> list[str]:
        """The lines frr-reload.py would delete or add to reach `configuration`."""
        result = self._run(self.router.dry_run(secrets.token_hex(8)), stdin=configuration)
        if not result.ok:
            raise self._load_error()(
                f"FRR rejected the candidate on {self.hostname}: {frr_errors(result.output)}"
            )
        return dry_run_changes(result.stdout)

    def compare_config(self) -> str:
        """Unified diff from the running configuration to the one the commit would leave."""
        if self._candidate is None:
            return ""
        running, resulting = self._resulting_config()
        if resulting == running:
            return ""
        changes = self._would_change(resulting)
        if not changes:
            return ""
        diff = "".join(
            difflib.unified_diff(
                running.splitlines(keepends=True),
                resulting.splitlines(keepends=True),
                fromfile="running",
                tofile="candidate",
            )
        )
        return diff or "\n".join(changes)

    def commit_config(self, message: str = "", revert_in: int | None = None) -> None:
        """Apply the candidate atomically; with revert_in, the router reverts it unless
        confirm_commit() comes within that many seconds."""
        if revert_in is not None and (not isinstance(revert_in, int) or revert_in < 1):
            raise CommitError(f"revert_in must be a whole number of seconds, not {revert_in!r}.")
        if self._candidate is None:
            raise CommitError("No candidate configuration is loaded.")
        kind = self._candidate.kind
        for attempt in range(2):
            running, resulting = self._resulting_config()
            expected = ""
            if self._candidate.kind == "merge":
                expected = hashlib.sha256(running.encode()).hexdigest()
            token = secrets.token_hex(8)
            command = self.router.commit(token, revert_in or 0, expected, _one_line(message))
            result = self._run(command, stdin=resulting)
            if result.exit_status == router.CHANGED_MEANWHILE and attempt == 0:
                continue  # someone else changed the router between our read and the commit
            break
        if not result.ok:
            log.warning("%s: commit refused (status %s)", self.hostname, result.exit_status)
        self._raise_for_commit(result)
        self._candidate = None
        log.info(
            "%s: committed a %s candidate%s",
            self.hostname,
            kind,
            f", reverted in {revert_in} s unless confirmed" if revert_in else "",
        )

    def _raise_for_commit(self, result: CommandResult) -> None:
        output = without_noise(result.output)
        status = result.exit_status
        if status == 0:
            return
        if status == router.INVALID:
            raise self._load_error()(
                f"FRR rejected the candidate on {self.hostname}: {frr_errors(output)}"
            )
        if status == router.APPLY_FAILED:
            raise CommitError(
                f"FRR rejected the candidate on {self.hostname}: {frr_errors(output)} "
                "(the running configuration is unchanged)"
            )
        if status == router.NOT_RESTORED:
            raise CommitError(
                f"FRR rejected the candidate on {self.hostname} and restoring the previous "
                f"configuration left differences: {output}"
            )
        raise CommitError(f"Commit on {self.hostname} failed: {output or f'status {status}'}")

    def rollback(self) -> None:
        """Restore the configuration from before the last commit (also ends a pending one)."""
        result = self._run(self.router.rollback(secrets.token_hex(8)))
        if result.ok:
            log.info("%s: rolled back to the configuration before the last commit", self.hostname)
            return
        output = without_noise(result.output)
        if result.exit_status == router.APPLY_FAILED:
            raise CommitError(
                f"FRR rejected the rollback configuration on {self.hostname}: "
                f"{frr_errors(output)} (the running configuration is unchanged)"
            )
        raise CommitError(f"Rollback on {self.hostname} failed: {output}")
