"""Start and stop the fleet in a child process (for tests and benchmarks)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from bench.fleet.cli import spec_to_argv
from bench.fleet.model import DEFAULT_HOST, FaultKind, FleetSpec

PROJECT_ROOT = Path(__file__).resolve().parents[2]
_POLL_INTERVAL = 0.05


class FleetStartError(RuntimeError):
    """The fleet process exited or did not open its ports before the deadline."""


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((DEFAULT_HOST, port))
        except OSError:
            return False
    return True


def free_base_port(routers: int, start: int = 21000, stop: int = 32000) -> int:
    """A base port such that base-1 (control) .. base+routers-1 are all free right now.

    Stays below Linux's default ephemeral range (32768+) so that client sockets never
    take the fleet's ports.
    """
    base = start + 1
    while base + routers <= stop:
        busy = next((p for p in range(base - 1, base + routers) if not port_is_free(p)), None)
        if busy is None:
            return base
        base = busy + 2
    raise FleetStartError(f"no {routers + 1} consecutive free ports between {start} and {stop}")


class FleetProcess:
    """A running fleet child process, driven through its control port."""

    def __init__(self, spec: FleetSpec, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
        self.spec = spec
        self.process = process
        self._log = log

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def control_url(self) -> str:
        return f"http://{DEFAULT_HOST}:{self.spec.control}/control"

    def status(self, timeout: float = 10.0) -> dict[str, object]:
        return self._call("GET", "/status", timeout=timeout)

    def advance_epoch(self, epoch: int | None = None, timeout: float = 300.0) -> int:
        """Move to the next epoch (or to `epoch`); returns once its responses are ready."""
        body = {} if epoch is None else {"epoch": epoch}
        return int(self._call("POST", "/epoch", body, timeout=timeout)["epoch"])

    def running_config(self, router_index: int) -> str:
        url = f"{self.control_url}/routers/{router_index}/running-config"
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode()

    def reset_configs(self) -> None:
        self._call("POST", "/reset-configs", {})

    def log(self) -> str:
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")

    def stop(self, timeout: float = 15.0) -> int:
        """Ask the fleet to stop (SIGINT, as Ctrl-C would), kill it after `timeout`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self._log.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._log.name)
        return self.process.returncode

    def wait_ready(self, timeout: float) -> None:
        """Wait until the control port answers and every router port accepts connections."""
        deadline = time.monotonic() + timeout
        pending = [
            self.spec.router(index).port
            for index in range(self.spec.routers)
            if self.spec.fault(index) is not FaultKind.REFUSED
        ]
        while True:
            if self.process.poll() is not None:
                raise FleetStartError(
                    f"fleet exited with status {self.process.returncode}: {self.log()[-2000:]}"
                )
            try:
                self.status(timeout=1.0)
                pending = [port for port in pending if not _accepts(port)]
                if not pending:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise FleetStartError(f"fleet not ready after {timeout:.0f}s: {self.log()[-2000:]}")
            time.sleep(_POLL_INTERVAL)

    def _call(
        self, method: str, path: str, body: object = None, timeout: float = 10.0
    ) -> dict[str, object]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.control_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((DEFAULT_HOST, port), timeout=1.0):
            return True
    except OSError:
        return False


def start_fleet(spec: FleetSpec, ready_timeout: float = 120.0) -> FleetProcess:
    log = tempfile.NamedTemporaryFile(prefix="fleet-", suffix=".log", delete=False)  # noqa: SIM115
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    process = subprocess.Popen(
        [sys.executable, "-m", "bench", *spec_to_argv(spec)],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    fleet = FleetProcess(spec, process, log)
    try:
        fleet.wait_ready(ready_timeout)
    except BaseException:
        fleet.stop()
        raise
    return fleet


@contextlib.contextmanager
def running_fleet(spec: FleetSpec, ready_timeout: float = 120.0) -> Iterator[FleetProcess]:
    """Run the fleet in a child process for the duration of the `with` block."""
    fleet = start_fleet(spec, ready_timeout)
    try:
        yield fleet
    finally:
        fleet.stop()
