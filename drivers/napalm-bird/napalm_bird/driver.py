"""NAPALM driver for BIRD 2: SSH (napalm-frr's transport), birdc, BIRD's own checks."""

from __future__ import annotations

import difflib
import logging
import re
import secrets
import shlex
from dataclasses import dataclass
from typing import Any, Literal

from napalm.base import models
from napalm.base.exceptions import (
    CommandErrorException,
    CommitConfirmException,
    CommitError,
    MergeConfigException,
    ReplaceConfigException,
)
from napalm_frr.ssh import CommandResult
from napalm_frr.ssh_driver import HOST_FACT_PIECES, SSHDriver

from napalm_bird import bgp, facts, programs
from napalm_bird.options import DriverOptions
from napalm_bird.programs import RouterSetup
from napalm_bird.protocols import bgp_protocols, status, strip_banner

log = logging.getLogger(__name__)

# The driver's temporary file names in BIRD's messages ("/etc/bird/.bird.conf.check-
# 0123456789abcdef:12:5 syntax error") are shown as "candidate".
_TEMPORARY = re.compile(r"\S*\.(?:check|candidate)-[0-9a-f]{16}")


@dataclass
class Candidate:
    kind: Literal["merge", "replace"]
    text: str


def bird_errors(output: str) -> str:
    """BIRD's answer with the driver's temporary file names replaced by "candidate"."""
    lines = [line for line in output.strip().splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("Reading configuration from")]
    return _TEMPORARY.sub("candidate", "\n".join(lines)) or "no output"


class BIRDDriver(SSHDriver[DriverOptions, RouterSetup]):
    """NAPALM driver for BIRD 2 over SSH; see the package README for optional_args.

    Merge mode: the candidate is the whole text of a file the main configuration
    includes (optional_args `include_file`, default `<config dir>/napalm-bird.conf`);
    replace mode: the candidate is the whole main configuration (`config_file`)."""

    options_class = DriverOptions
    _candidate: Candidate | None = None

    def _router_setup(self, lock_wait: int) -> RouterSetup:
        return RouterSetup(
            birdc_command=self.options.birdc_command,
            birdc_socket=self.options.birdc_socket,
            config_file=self.options.config_file,
            include_file=self.options.include_file,
            state_dir=self.options.state_dir,
            sudo=self.options.sudo,
            lock_wait=lock_wait,
        )

    def _birdc(self, *commands: str, read_only: bool = False) -> list[str]:
        pieces = [RouterSetup.birdc_piece(command, read_only) for command in commands]
        return self._batch(pieces, labels=[f"birdc {c}" for c in commands])

    def _read(self, path: str) -> str | None:
        """A file of the router; None when it does not exist."""
        quoted = shlex.quote(path)
        output = self._batch([f"if [ -e {quoted} ]; then cat {quoted}; else echo '@absent'; fi"])
        return None if output[0] == "@absent\n" else output[0]

    # -- getters ------------------------------------------------------------------------

    def get_facts(self) -> models.FactsDict:
        return facts.facts(
            *self._batch(
                [
                    RouterSetup.birdc_piece("show status"),
                    "ls /sys/class/net",
                    *HOST_FACT_PIECES,
                ]
            )
        )

    def _protocols(self) -> tuple[Any, list[Any]]:
        show_status, show_protocols = self._birdc("show status", "show protocols all")
        return status(show_status), bgp_protocols(show_protocols)

    def get_bgp_neighbors(self) -> dict[str, models.BGPStateNeighborsPerVRFDict]:
        """`show protocols all`: every BGP protocol, keyed by neighbour address."""
        parsed, protocols = self._protocols()
        return bgp.bgp_neighbors(protocols, parsed.router_id, parsed.server_time)

    def get_bgp_neighbors_detail(
        self, neighbor_address: str = ""
    ) -> dict[str, dict[int, list[models.PeerDetailsDict]]]:
        parsed, protocols = self._protocols()
        return bgp.bgp_neighbors_detail(protocols, parsed.router_id, neighbor_address)

    def _running_text(self) -> tuple[str, str | None]:
        """The configuration file and the include file (None when absent)."""
        main = self._read(self.options.config_file)
        if main is None:
            raise CommandErrorException(
                f"{self.options.config_file} does not exist on {self.hostname}."
            )
        return main, self._read(self.options.include_file)

    def _includes_managed_file(self, main: str) -> bool:
        line = f'include "{self.options.include_file}";'
        return any(row.strip() == line for row in main.splitlines())

    def _joined(self, main: str, include: str | None) -> str:
        """The main file, then the managed include file it includes (if it does)."""
        if include is None or not self._includes_managed_file(main):
            return main
        separator = "" if main.endswith("\n") or not main else "\n"
        return f"{main}{separator}# {self.options.include_file}\n{include}"

    def get_config(
        self,
        retrieve: str = "all",
        full: bool = False,
        sanitized: bool = False,
        format: str = "text",
    ) -> models.ConfigDict:
        """Running and startup: the configuration file followed by the managed include
        file (BIRD runs what its files said at the last `configure`); candidate: what the
        commit would leave. `full` changes nothing; `sanitized` drops password lines."""
        if format != "text":
            raise NotImplementedError(f"BIRD configurations are text, not {format!r}.")
        if retrieve not in ("all", "running", "startup", "candidate"):
            raise ValueError(f"retrieve must be all, running, startup or candidate: {retrieve!r}")
        config: models.ConfigDict = {"running": "", "startup": "", "candidate": ""}
        if retrieve != "candidate" or self._candidate is not None:
            main, include = self._running_text()
            if retrieve in ("all", "running", "startup"):
                config["running"] = config["startup"] = self._joined(main, include)
            if retrieve in ("all", "candidate") and self._candidate is not None:
                if self._candidate.kind == "merge":
                    config["candidate"] = self._joined(main, self._candidate.text)
                else:
                    config["candidate"] = self._candidate.text
        if sanitized:
            for key in ("running", "startup", "candidate"):
                config[key] = _sanitize(config[key])  # type: ignore[literal-required]
        return config

    def cli(self, commands: list[str], encoding: str = "text") -> dict[str, str | dict[str, Any]]:
        """birdc commands in BIRD's restricted mode (show commands: one that would change
        the router, such as `down` or `configure`, fails); their text output without
        birdc's banner."""
        if not isinstance(commands, list):
            raise TypeError("cli() takes a list of commands.")
        if encoding != "text":
            raise NotImplementedError("birdc has text output only.")
        outputs = self._birdc(*commands, read_only=True)
        return {c: strip_banner(o) for c, o in zip(commands, outputs, strict=True)}

    # -- configuration ------------------------------------------------------------------

    def _check(self, kind: Literal["merge", "replace"], text: str, error: type[Exception]) -> None:
        """BIRD's own check (`configure check`) of the configuration the commit would
        leave; raises `error` with BIRD's message."""
        result = self._run(self.router.check(secrets.token_hex(8), kind), stdin=text)
        if not result.ok:
            raise error(f"BIRD rejected the configuration on {self.hostname}: "
                        f"{bird_errors(result.output)}")  # fmt: skip

    def load_merge_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        """Keep the text for the managed include file, once BIRD accepts the main
        configuration with it (MergeConfigException otherwise). Nothing changes yet."""
        text = self._read_candidate(filename, config)
        self._check("merge", text, MergeConfigException)
        self._candidate = Candidate("merge", text)

    def load_replace_candidate(
        self, filename: str | None = None, config: str | None = None
    ) -> None:
        """Keep a whole configuration file, once BIRD accepts it (ReplaceConfigException
        otherwise). Nothing changes yet."""
        text = self._read_candidate(filename, config)
        if not text.strip():
            raise ReplaceConfigException("An empty configuration cannot replace the running one.")
        self._check("replace", text, ReplaceConfigException)
        self._candidate = Candidate("replace", text)

    def compare_config(self) -> str:
        """Unified diff of the file the commit would change (the include file in merge
        mode, the configuration file in replace mode); "" when nothing changes."""
        if self._candidate is None:
            return ""
        if self._candidate.kind == "merge":
            path = self.options.include_file
            current = self._read(path) or ""
        else:
            path = self.options.config_file
            current = self._read(path) or ""
        if current == self._candidate.text:
            return ""
        return "".join(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                self._candidate.text.splitlines(keepends=True),
                fromfile=path,
                tofile=f"{path} (candidate)",
            )
        )

    def commit_config(self, message: str = "", revert_in: int | None = None) -> None:
        """Check the candidate with BIRD, then rename it into place and `configure`; a
        candidate BIRD rejects leaves the files and the running configuration unchanged
        (MergeConfigException / ReplaceConfigException). With revert_in, BIRD applies it
        with `configure ... timeout N` and reverts by itself unless confirm_commit()."""
        if revert_in is not None and (not isinstance(revert_in, int) or revert_in < 1):
            raise CommitError(f"revert_in must be a whole number of seconds, not {revert_in!r}.")
        if self._candidate is None:
            raise CommitError("No candidate configuration is loaded.")
        kind = self._candidate.kind
        command = self.router.commit(
            secrets.token_hex(8), kind, revert_in or 0, " ".join(message.split())
        )
        result = self._run(command, stdin=self._candidate.text)
        self._raise_for(result, "Commit")
        self._candidate = None
        log.info(
            "%s: committed a %s candidate%s",
            self.hostname,
            kind,
            f", reverted in {revert_in} s unless confirmed" if revert_in else "",
        )

    def _raise_for(self, result: CommandResult, what: str) -> None:
        code = result.exit_status
        if code == 0:
            return
        detail = bird_errors(result.output)
        if code == programs.INVALID:
            error = MergeConfigException
            if self._candidate is not None and self._candidate.kind == "replace":
                error = ReplaceConfigException
            raise error(f"BIRD rejected the candidate on {self.hostname}: {detail}")
        if code == programs.APPLY_FAILED:
            raise CommitError(
                f"BIRD could not apply the candidate on {self.hostname}: {detail} "
                "(the previous files were put back)"
            )
        raise CommitError(f"{what} on {self.hostname} failed: {detail}")

    def _router_message(self, output: str) -> str:
        return bird_errors(output)

    def _check_confirmed(self, result: CommandResult) -> None:
        """confirm_commit(): `configure confirm`, then the candidate's file takes the place
        of the old one; BIRD may have reverted the commit already."""
        if result.exit_status == programs.REVERTED:
            raise CommitConfirmException(
                f"The commit on {self.hostname} was already reverted by BIRD: "
                f"{bird_errors(result.output)}"
            )

    def rollback(self) -> None:
        """A pending commit: `configure undo`. Otherwise the files from before the last
        commit are put back and applied. CommitError when there is none."""
        result = self._run(self.router.rollback(secrets.token_hex(8)))
        if result.ok:
            log.info("%s: rolled back to the configuration before the last commit", self.hostname)
            return
        if result.exit_status == programs.NO_ROLLBACK_POINT:
            raise CommitError(f"There is no commit to roll back on {self.hostname}.")
        raise CommitError(f"Rollback on {self.hostname} failed: {bird_errors(result.output)}")


_SECRET = re.compile(r"^(\s*password\s+).*?;", re.MULTILINE)


def _sanitize(text: str) -> str:
    return _SECRET.sub(r'\1"<removed>";', text)
