"""A NAPALM driver that manages a daemon over SSH with shell programs run on the router.

A driver subclasses `SSHDriver`, names its options class (`options_class`, an
`SSHOptions`) and builds its router setup (`_router_setup`, a `ShellPrograms`). The base
class keeps the SSH connection and runs commands: `_run` (one command, stdin optional)
and `_batch` (several shell pieces in one round trip), and the parts of a commit's life
that are the same for every such driver: has_pending_commit(), confirm_commit() and
discard_config().
"""

from __future__ import annotations

import logging
import secrets
from typing import Any, ClassVar, Generic, TypeVar

from napalm.base import NetworkDriver, models
from napalm.base.exceptions import CommandErrorException, CommitConfirmException

from napalm_frr import shell
from napalm_frr.shell import ShellPrograms
from napalm_frr.ssh import CommandResult, SSHConnection
from napalm_frr.ssh_options import SSHOptions

OptionsT = TypeVar("OptionsT", bound=SSHOptions)
RouterT = TypeVar("RouterT", bound=ShellPrograms)

# Shell pieces for `host_facts`, after the daemon's own.
HOST_FACT_PIECES = [
    "cat /proc/uptime",
    "hostname -f 2>/dev/null || hostname",
    "cat /sys/class/dmi/id/product_name 2>/dev/null || true",
    "cat /sys/class/dmi/id/product_serial 2>/dev/null || true",
]


def host_facts(
    *,
    vendor: str,
    os_version: str,
    hostname: str,
    interfaces: list[str],
    proc_uptime: str,
    system_fqdn: str,
    product_name: str = "",
    product_serial: str = "",
) -> models.FactsDict:
    """get_facts: uptime, model and serial come from the host (HOST_FACT_PIECES); the
    system's FQDN is used only when it starts with the daemon's hostname."""
    fqdn = system_fqdn.strip()
    return {
        "uptime": float(proc_uptime.split()[0]) if proc_uptime.strip() else 0.0,
        "vendor": vendor,
        "model": product_name.strip(),
        "serial_number": product_serial.strip(),
        "os_version": os_version,
        "hostname": hostname,
        "fqdn": fqdn if hostname and fqdn.startswith(f"{hostname}.") else hostname,
        "interface_list": interfaces,
    }


class SSHDriver(NetworkDriver, Generic[OptionsT, RouterT]):
    """The SSH part of a NAPALM driver; optional_args are checked when it is created."""

    options_class: ClassVar[type[Any]]  # an SSHOptions subclass, read by from_args()
    _candidate: Any = None  # the loaded candidate configuration, if any

    def __init__(
        self,
        hostname: str,
        username: str,
        password: str,
        timeout: int = 60,
        optional_args: dict[str, Any] | None = None,
    ) -> None:
        self.hostname = hostname
        self.username = username
        self.password = password
        self.timeout = timeout
        self.options: OptionsT = self.options_class.from_args(optional_args)
        # the router-side lock wait must leave time for the change itself
        self.router: RouterT = self._router_setup(lock_wait=max(1, int(timeout) // 2))
        self._ssh = SSHConnection(
            self.options.ssh_settings(hostname, username, password, float(timeout))
        )

    def _router_setup(self, lock_wait: int) -> RouterT:
        """The driver's ShellPrograms, from self.options."""
        raise NotImplementedError

    # -- connection ---------------------------------------------------------------------

    def open(self) -> None:
        """SSH login; ConnectionException / ConnectTimeoutError / ConnectAuthError."""
        self._ssh.open()

    def close(self) -> None:
        self.discard_config()
        self._ssh.close()

    def is_alive(self) -> models.AliveDict:
        return {"is_alive": self._ssh.is_active}

    def _run(self, command: str, stdin: str | None = None) -> CommandResult:
        return self._ssh.run(command, stdin=stdin)

    def _error_detail(self, output: str) -> str:
        """What a failing batch piece printed, as its error message shows it."""
        return output.strip()

    def _batch(self, pieces: list[str], labels: list[str] | None = None) -> list[str]:
        """Outputs of several shell pieces run in one round trip; a failing piece raises
        CommandErrorException naming it (its label)."""
        result = self._run(self.router.batch(pieces))
        outputs = self.router.split_batch_output(result.stdout, len(pieces))
        for label, (status, output) in zip(labels or pieces, outputs, strict=True):
            if status != 0:
                detail = self._error_detail(output + "\n" + result.stderr) or "no output"
                raise CommandErrorException(f"{label!r} failed on {self.hostname}: {detail}")
        return [output for _, output in outputs]

    def _router_message(self, output: str) -> str:
        """What a router-side program printed, as error messages show it."""
        return output.strip()

    def _read_candidate(self, filename: str | None, config: str | None) -> str:
        """The candidate's text: the file's, else `config`."""
        if filename is not None:
            with open(filename, encoding="utf-8") as handle:
                return handle.read()
        if config is None:
            raise ValueError("Give a filename or a configuration string.")
        return config

    # -- commit confirmation --------------------------------------------------------------

    def has_pending_commit(self) -> bool:
        """Whether a commit is waiting for confirmation (read on the router)."""
        result = self._run(self.router.pending())
        answer = result.stdout.strip()
        if not result.ok or not answer:
            raise CommitConfirmException(
                f"Cannot read the pending commit on {self.hostname}: "
                f"{self._router_message(result.output)}"
            )
        return answer.startswith("pending")

    def _check_confirmed(self, result: CommandResult) -> None:
        """Raises CommitConfirmException for the driver's own failed confirmations."""

    def confirm_commit(self) -> None:
        """Runs the driver's confirm program; CommitConfirmException when it fails."""
        result = self._run(self.router.confirm(secrets.token_hex(8)))
        if result.exit_status == shell.NOTHING_PENDING:
            raise CommitConfirmException(
                f"No commit is waiting for confirmation on {self.hostname}."
            )
        self._check_confirmed(result)
        if not result.ok:
            raise CommitConfirmException(
                f"Confirming the commit on {self.hostname} failed: "
                f"{self._router_message(result.output)}"
            )
        logging.getLogger(type(self).__module__).info("%s: pending commit confirmed", self.hostname)

    def discard_config(self) -> None:
        """Forget the candidate; nothing was sent to the router's configuration yet."""
        self._candidate = None
