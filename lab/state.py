"""An instance's state directory: who owns the running lab, which processes it started,
and the clean-up of what a crashed lab left behind."""

from __future__ import annotations

import os
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

from lab.netns import delete_instance_network
from lab.processes import ProcessRecord, kill_recorded, wait_gone

REPO_ROOT = Path(__file__).resolve().parent.parent
FRR_TMP_DIR = Path("/var/tmp/frr")
# SSH keys stay so known_hosts stays valid; the supervisor log is open while `up` runs;
# a running demo holds a lock on demo.lock (deleting it would let a second demo in).
KEEP_ACROSS_RUNS = {"ssh", "id_ed25519", "id_ed25519.pub", "supervisor.log", "demo.lock"}


def default_state_dir(instance: int) -> Path:
    """`<repo>/data/lab/<N>`, or `$PEERKEEPER_LAB_DIR/<N>`."""
    base = os.environ.get("PEERKEEPER_LAB_DIR")
    return (Path(base) if base else REPO_ROOT / "data" / "lab") / str(instance)


@dataclass(frozen=True)
class Owner:
    """The process that runs an instance: a `python -m lab up` supervisor or a program
    using the API (a test session, for instance)."""

    record: ProcessRecord
    kind: str

    @property
    def pid(self) -> int:
        return self.record.pid


class InstanceState:
    def __init__(self, directory: Path, namespace_prefix: str) -> None:
        self.directory = directory
        self.namespace_prefix = namespace_prefix

    @property
    def owner_file(self) -> Path:
        return self.directory / "owner"

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

    def owner(self) -> Owner | None:
        """The live owner, if any (a recorded owner that has died is no owner)."""
        try:
            pid, started, kind = self.owner_file.read_text().split()
        except (FileNotFoundError, ValueError):
            return None
        record = ProcessRecord(int(pid), int(started))
        return Owner(record, kind) if record.is_alive() else None

    def claim(self, kind: str) -> None:
        me = ProcessRecord.of(os.getpid())
        assert me is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        self.owner_file.write_text(f"{me.pid} {me.started} {kind}\n")

    def release(self) -> None:
        self.owner_file.unlink(missing_ok=True)

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
        belongs to someone else now), then delete the instance's namespaces and links."""
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
            if entry.name in KEEP_ACROSS_RUNS or entry == self.owner_file:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
