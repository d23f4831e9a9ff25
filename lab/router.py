"""A handle on one router of a running lab: run commands in its namespace, ask its
BGP daemon, stop and start it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from typing import TYPE_CHECKING, Any

from lab.daemons import RouterPaths, bgp_daemon, birdc_argv, vtysh_argv
from lab.errors import LabError
from lab.processes import become_host
from lab.sessions import bird_sessions, frr_sessions
from lab.topology import RouterSpec

if TYPE_CHECKING:
    from lab.instance import Lab


def run_captured(
    argv: list[str], timeout: float, hostname: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Like subprocess.run, but with the router's hostname (see become_host), and a
    timeout also kills what the command started."""
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
        preexec_fn=lambda: become_host(hostname),
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


class Router:
    def __init__(self, lab: Lab, spec: RouterSpec, paths: RouterPaths) -> None:
        self._lab = lab
        self.spec = spec
        self.paths = paths

    def __repr__(self) -> str:
        return f"<Router {self.name} AS{self.asn} in {self.namespace}>"

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def asn(self) -> int:
        return self.spec.asn

    @property
    def software(self) -> str:
        return self.spec.software

    @property
    def namespace(self) -> str:
        return self._lab.topology.namespace(self.name)

    @property
    def mgmt_address(self) -> str | None:
        return self.spec.mgmt_address

    def run(self, command: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        """Run a shell command inside the router's namespace. `vtysh` and `birdc` there
        already point at this router's sockets. Raises subprocess.TimeoutExpired."""
        env = dict(os.environ)
        env["PATH"] = f"{self.paths.bin_dir}:{env.get('PATH', '/usr/sbin:/usr/bin:/sbin:/bin')}"
        argv = ["ip", "netns", "exec", self.namespace, "sh", "-c", command]
        return run_captured(argv, timeout, self.name, env)

    def vtysh(self, *commands: str, timeout: float = 30.0) -> str:
        """Run vtysh commands (each one a `-c`) on this FRR router; returns the output."""
        if self.software != "frr":
            raise LabError(f"{self.name} runs BIRD, not FRR: use birdc()")
        argv = vtysh_argv(self.paths)
        for command in commands:
            argv += ["-c", command]
        result = run_captured(argv, timeout, self.name)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip()
            raise LabError(f"vtysh on {self.name} failed ({' / '.join(commands)}): {detail}")
        return result.stdout

    def json(self, command: str, timeout: float = 30.0) -> Any:
        """An FRR `... json` command, parsed."""
        output = self.vtysh(command, timeout=timeout)
        try:
            return json.loads(output)
        except json.JSONDecodeError as error:
            raise LabError(
                f"{self.name}: {command!r} did not return JSON: {output[:200]}"
            ) from error

    def birdc(self, command: str, timeout: float = 30.0) -> str:
        """Run a birdc command on this BIRD router; returns its output without the banner."""
        if self.software != "bird":
            raise LabError(f"{self.name} runs FRR, not BIRD: use vtysh()")
        result = run_captured([*birdc_argv(self.paths), command], timeout, self.name)
        lines = result.stdout.splitlines()
        if result.returncode != 0 or not lines or not lines[0].startswith("BIRD"):
            detail = (result.stderr or result.stdout).strip()
            raise LabError(f"birdc on {self.name} failed ({command}): {detail}")
        return "\n".join(lines[1:]) + "\n"

    def zebra_clients(self) -> set[str]:
        """The daemons connected to this router's zebra ("bgp", "static"...); empty if
        zebra cannot say yet."""
        try:
            output = self.vtysh("show zebra client summary", timeout=5)
        except (LabError, subprocess.TimeoutExpired):
            return set()
        lines = output.splitlines()
        # A header, a line of dashes, one line per client, then a legend.
        rows = lines[next((i for i, line in enumerate(lines) if line.startswith("---")), -1) + 1 :]
        return {row.split()[0] for row in rows if row.strip() and not row.startswith("Routes ")}

    def sessions(self) -> list[dict[str, Any]]:
        """Every BGP session configured on this router, with its state and the number
        of prefixes received (accepted)."""
        if self.software == "frr":
            return frr_sessions(self.json("show bgp vrf all neighbors json"))
        return bird_sessions(self.birdc("show protocols all"))

    def stop(self) -> None:
        """Stop the router's BGP daemon (bgpd or bird); its sessions go down."""
        self._lab.stop_daemon(self.name, bgp_daemon(self.spec))

    def start(self) -> None:
        """Start the BGP daemon again with the router's saved configuration."""
        self._lab.start_daemon(self.name, bgp_daemon(self.spec))

    def is_running(self) -> bool:
        return self._lab.daemon_running(self.name, bgp_daemon(self.spec))
