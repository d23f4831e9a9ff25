"""An instance's state: who owns the running lab (a machine-wide claim, lab/claims.py),
which processes it started (in its state directory), and the clean-up of what a crashed
lab left behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lab.claims import Claim, Holder
from lab.errors import LabError
from lab.netns import delete_instance_network
from lab.processes import ProcessRecord, kill_recorded, wait_gone

REPO_ROOT = Path(__file__).resolve().parent.parent
FRR_TMP_DIR = Path("/var/tmp/frr")
# SSH keys stay so known_hosts stays valid; the supervisor log is open while `up` runs.
KEEP_ACROSS_RUNS = {"ssh", "id_ed25519", "id_ed25519.pub", "supervisor.log"}
# What an owner is, in the sentences that name it.
KINDS = {
    "supervisor": "`python -m lab up`",
    "cleanup": "removing what a stopped or crashed lab left",
}
COMMAND_LENGTH = 80


def default_state_dir(instance: int) -> Path:
    """`<repo>/data/lab/<N>`, or `$PEERKEEPER_LAB_DIR/<N>`."""
    base = os.environ.get("PEERKEEPER_LAB_DIR")
    return (Path(base) if base else REPO_ROOT / "data" / "lab") / str(instance)


def this_command() -> str:
    """This process's command line, short, for the sentences that name an owner."""
    try:
        argv = Path("/proc/self/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return ""
    argv = [arg for arg in argv if arg]
    if not argv:
        return ""
    text = " ".join([Path(argv[0]).name, *argv[1:]])
    return text if len(text) <= COMMAND_LENGTH else text[: COMMAND_LENGTH - 3] + "..."


@dataclass(frozen=True)
class Owner:
    """The process that runs an instance: a `python -m lab up` supervisor, a program
    using the API (a test session, for instance), or `python -m lab down` cleaning up.
    From any checkout: `state_dir` is the owner's (None if it did not say)."""

    record: ProcessRecord
    kind: str
    state_dir: Path | None
    command: str = field(default="", compare=False)

    @classmethod
    def of(cls, holder: Holder) -> Owner:
        state_dir = holder.get("state_dir")
        return cls(
            holder.record,
            holder.get("kind", "unknown"),
            Path(state_dir) if state_dir else None,
            holder.get("command"),
        )

    @property
    def pid(self) -> int:
        return self.record.pid

    def describe(self) -> str:
        """E.g. `PID 4242 (`python -m lab up`, state directory /srv/pk/data/lab/7)`."""
        what = KINDS.get(self.kind) or self.command or "a program using the lab"
        where = f", state directory {self.state_dir}" if self.state_dir else ""
        return f"PID {self.pid} ({what}{where})"


class InstanceState:
    def __init__(self, directory: Path, namespace_prefix: str, instance: int) -> None:
        self.directory = directory
        self.namespace_prefix = namespace_prefix
        self.instance = instance
        self._claim = Claim(str(instance))

    @property
    def pids_dir(self) -> Path:
        return self.directory / "pids"

    def record_path(self, router: str, daemon: str) -> Path:
        return self.pids_dir / f"{router}.{daemon}"

    @property
    def exits_dir(self) -> Path:
        return self.directory / "exited"

    def record_exit(self, router: str, daemon: str, how: str) -> None:
        """Note how a daemon ended, for `lab status` in another process (only the parent
        that reaped it knows its exit status)."""
        self.exits_dir.mkdir(parents=True, exist_ok=True)
        (self.exits_dir / f"{router}.{daemon}").write_text(how + "\n")

    def forget_exit(self, router: str, daemon: str) -> None:
        (self.exits_dir / f"{router}.{daemon}").unlink(missing_ok=True)

    def recorded_exit(self, router: str, daemon: str) -> str | None:
        try:
            return (self.exits_dir / f"{router}.{daemon}").read_text().strip() or None
        except FileNotFoundError:
            return None

    # --- ownership, machine-wide --------------------------------------------------------

    def owner(self) -> Owner | None:
        """The live process that owns the instance, from whatever checkout or state
        directory; None if no process does."""
        holder = self._claim.holder()
        return None if holder is None else Owner.of(holder)

    def is_ours(self, owner: Owner) -> bool:
        """Whether `owner` runs the instance from this state directory."""
        return owner.state_dir is not None and _same_path(owner.state_dir, self.directory)

    def owned_here(self) -> bool:
        """Whether this process owns the instance, for this state directory."""
        owner = self.owner() if self._claim.held_here() else None
        return owner is not None and owner.pid == os.getpid() and self.is_ours(owner)

    def refusal(self, owner: Owner | None) -> str:
        """Why this process may not use the instance, in one sentence."""
        instance = self.instance
        if owner is None:
            return f"lab instance {instance} was claimed by another process just now; try again"
        if owner.kind == "supervisor" and self.is_ours(owner):
            return (
                f"lab instance {instance} is already running, by {owner.describe()}; "
                f"stop it with: python -m lab down --instance {instance}"
            )
        return (
            f"lab instance {instance} is in use by {owner.describe()}; wait for it to end "
            "or use another instance"
        )

    def claim(self, kind: str) -> None:
        """Make this process the instance's owner, or raise LabError naming the process
        that owns it (from any checkout or state directory)."""
        if self._claim.held_here():
            owner = self.owner()
            if owner is not None and not self.is_ours(owner):  # another Lab of ours
                raise LabError(self.refusal(owner))
        details = {
            "kind": kind,
            "state_dir": os.path.abspath(self.directory),
            "command": this_command(),
        }
        for _ in range(3):  # a holder that ended between the two looks leaves the claim free
            if self._claim.acquire(**details):
                return
            owner = self.owner()
            if owner is not None:
                raise LabError(self.refusal(owner))
        raise LabError(self.refusal(None))

    def release(self) -> None:
        self._claim.release()

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        """Own the instance while the block runs: as it is (the owner), or for the
        block only (nobody owns it). Raises LabError when another process owns it."""
        if self.owned_here():
            yield
            return
        self.claim("cleanup")
        try:
            yield
        finally:
            self.release()

    def records(self) -> dict[str, ProcessRecord]:
        """Recorded processes by "<router>.<daemon>"."""
        if not self.pids_dir.is_dir():
            return {}
        records = {path.name: ProcessRecord.read(path) for path in sorted(self.pids_dir.iterdir())}
        return {name: record for name, record in records.items() if record is not None}

    def recorded_processes(self) -> list[ProcessRecord]:
        return list(self.records().values())

    def clean(self) -> None:
        """Kill the processes recorded here (only those: a PID whose start time differs
        belongs to someone else now), then delete the instance's namespaces and links.

        Only while this process owns the instance, or while nobody does (it owns it for
        the clean-up then): namespaces that another live process owns, from whatever
        checkout, are never touched (LabError names that process)."""
        with self._held():
            records = self.records()
            for record in records.values():
                kill_recorded(record, signal.SIGKILL)
            wait_gone(list(records.values()), timeout=5.0)
            for name, record in records.items():
                # A killed FRR daemon leaves its crash-log directory behind.
                daemon = name.partition(".")[2]
                shutil.rmtree(FRR_TMP_DIR / f"{daemon}.{record.pid}", ignore_errors=True)
            shutil.rmtree(self.pids_dir, ignore_errors=True)
            shutil.rmtree(self.exits_dir, ignore_errors=True)
            delete_instance_network(self.namespace_prefix)

    def reset_directory(self) -> None:
        """Empty the state dir for a new run, except what KEEP_ACROSS_RUNS names."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for entry in self.directory.iterdir():
            if entry.name in KEEP_ACROSS_RUNS:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def _same_path(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)
