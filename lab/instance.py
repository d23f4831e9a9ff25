"""The Lab: one instance of the topology with its namespaces and daemons."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lab import configs
from lab.daemons import (
    FRR_RELOAD,
    RouterPaths,
    control_sockets,
    daemon_argv,
    daemons,
    frr_daemons,
    frr_group_id,
    vtysh_argv,
    write_wrappers,
)
from lab.errors import LabError
from lab.guard import GuardError, install_unreachable_routes
from lab.health import DeadDaemon, describe_exit
from lab.host import prepare_runtime_directories
from lab.netns import NetnsError, create_network, list_namespaces, wait_for_link_local
from lab.processes import become_host, kill_child, start_child, stop_child
from lab.requirements import unavailable_reason
from lab.router import Router, run_captured
from lab.ssh import SshFiles, prepare_ssh
from lab.state import InstanceState, Owner, default_state_dir
from lab.topology import Topology, default_topology

POLL_INTERVAL = 0.1


def default_instance(fallback: int) -> int:
    value = os.environ.get("PEERKEEPER_LAB_INSTANCE")
    return int(value) if value else fallback


class Lab:
    """Routers in network namespaces: r1 (FRR, ours), its peers p1..p4, and rs1 (BIRD,
    ours too, no session at start).

    Daemons are children of the process that calls up(), and die with it. Call up()
    from a thread that lives as long as the lab: the kernel ties a child's death signal
    to the thread that started it.
    """

    def __init__(
        self,
        instance: int | None = None,
        topology: Topology | None = None,
        state_dir: Path | None = None,
    ) -> None:
        instance = default_instance(1) if instance is None else instance
        self.topology = topology or default_topology(instance)
        self.state_dir = state_dir or default_state_dir(self.topology.instance)
        self.state = InstanceState(self.state_dir, self.topology.prefix, self.topology.instance)
        self.ssh = SshFiles(self.state_dir)
        self._routers = {
            spec.name: Router(self, spec, RouterPaths(self.state_dir / spec.name))
            for spec in self.topology.routers
        }
        self._children: dict[tuple[str, str], subprocess.Popen[bytes]] = {}
        self._running_config: dict[str, str] = {}  # per FRR router, right after up()

    @property
    def instance(self) -> int:
        return self.topology.instance

    def __repr__(self) -> str:
        return f"<Lab instance {self.instance} at {self.state_dir}>"

    def __enter__(self) -> Lab:
        self.up()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.down()

    def router(self, name: str) -> Router:
        if name not in self._routers:
            raise LabError(f"no router {name!r} in the lab (routers: {', '.join(self._routers)})")
        return self._routers[name]

    @property
    def routers(self) -> list[Router]:
        return list(self._routers.values())

    def _frr_routers(self) -> list[Router]:
        return [router for router in self.routers if router.software == "frr"]

    # --- up / down ---------------------------------------------------------------------

    def up(self, timeout: float = 30.0, owner_kind: str = "api") -> float:
        """Start the lab and wait until every configured session of r1 is Established
        with all its prefixes. Returns the seconds that took."""
        reason = unavailable_reason()
        if reason:
            raise LabError(reason)
        started = time.monotonic()
        deadline = started + timeout
        # First the machine-wide claim: no other process, from any checkout or state
        # directory, runs this instance from here on (LabError names the one that does).
        self.state.claim(owner_kind)
        atexit.register(self._down_at_exit)
        try:
            for process in self._children.values():  # an earlier up() of this object
                kill_child(process)
            self._children.clear()
            self.state.clean()  # what a crashed run of this instance left behind
            self.state.reset_directory()
            prepare_runtime_directories()
            _keep_lab_addresses_local()
            self._start_everything(deadline)
        except BaseException:
            self.down()
            raise
        return time.monotonic() - started

    def _start_everything(self, deadline: float) -> None:
        try:
            create_network(self.topology)
            wait_for_link_local(self.topology, timeout=max(deadline - time.monotonic(), 1))
        except NetnsError as error:
            raise LabError(f"creating the lab's network failed: {error}") from error
        self._write_files()
        for router in self.routers:
            if router.mgmt_address:
                self._start(router, "sshd")
        frr = self._frr_routers()
        self._start_frr(frr, deadline)
        # BIRD starts once FRR has its sessions configured, so its first connection
        # attempt is not refused (BIRD then backs off for seconds).
        for router in self.routers:
            if router.software == "bird":
                self._start(router, "bird")
        for router in frr:
            router.vtysh("write memory")
            router.paths.starting_conf.write_text(router.paths.frr_conf.read_text())
            self._running_config[router.name] = router.vtysh("show running-config")
        self.wait_established("r1", timeout=deadline - time.monotonic(), prefixes=True)
        for router in self.routers:
            if router.mgmt_address:
                self._wait_ssh(router.mgmt_address, deadline)

    def _write_files(self) -> None:
        managed = {r.name: r.mgmt_address for r in self.routers if r.mgmt_address}
        if managed:
            prepare_ssh(self.ssh, managed)
        for router in self.routers:
            paths = router.paths
            paths.run_dir.mkdir(parents=True, exist_ok=True)
            write_wrappers(router.spec, paths)
            if router.software == "frr":
                paths.vty_dir.mkdir(exist_ok=True)
                paths.frr_conf.write_text(configs.frr_config(router.spec))
                paths.vtysh_conf.write_text(configs.VTYSH_CONF)
            elif router.mgmt_address:  # managed with napalm-bird
                paths.bird_include.write_text("")
                paths.bird_conf.write_text(configs.bird_config(router.spec, paths.bird_include))
            else:
                paths.bird_conf.write_text(configs.bird_config(router.spec))
            if router.mgmt_address:
                (paths.root / "sshd_config").write_text(
                    configs.sshd_config(
                        router.mgmt_address, self.ssh.host_key, self.ssh.authorized_keys
                    )
                )

    def down(self) -> None:
        """Stop every daemon and delete the namespaces and links. Idempotent. Refused
        (LabError) while another process, from any checkout, owns the instance."""
        owner = self.state.owner()
        if owner is not None and not self._owned_by_me(owner):
            raise LabError(
                f"lab instance {self.instance} is run by {owner.describe()}, not by this "
                "process: leaving it as it is"
            )
        for process in self._children.values():
            kill_child(process)
        self._children.clear()
        self.state.clean()
        self.state.release()
        atexit.unregister(self._down_at_exit)
        with contextlib.suppress(GuardError):  # installed by up() already, normally
            install_unreachable_routes()  # they stay: a down lab's addresses must not leave

    def _down_at_exit(self) -> None:
        with contextlib.suppress(Exception):  # nothing left to report to at exit
            self.down()

    def is_up(self) -> bool:
        """Whether some process runs this instance (this one or another, from any
        checkout)."""
        owner = self.state.owner()
        return owner is not None and bool(list_namespaces(self.topology.prefix))

    def _owned_by_me(self, owner: Owner) -> bool:
        return owner.pid == os.getpid() and self.state.is_ours(owner)

    # --- daemons -----------------------------------------------------------------------

    def _require_owner(self) -> None:
        owner = self.state.owner()
        if owner is None or not self._owned_by_me(owner):
            raise LabError(
                f"lab instance {self.instance} is not run by this process: only the "
                "process that called up() can stop, start or reset its routers"
            )

    def _start(self, router: Router, daemon: str) -> None:
        argv = daemon_argv(daemon, router.spec, router.paths, router.namespace)
        group = frr_group_id() if router.software == "frr" and daemon != "sshd" else None
        self.state.forget_exit(router.name, daemon)
        self._children[(router.name, daemon)] = start_child(
            argv,
            router.paths.log(daemon),
            self.state.record_path(router.name, daemon),
            hostname=router.name,
            group=group,
        )

    def daemon_running(self, name: str, daemon: str) -> bool:
        process = self._children.get((name, daemon))
        return process is not None and process.poll() is None

    def stop_daemon(self, name: str, daemon: str) -> None:
        self._require_owner()
        process = self._children.pop((self.router(name).name, daemon), None)
        if process is not None:
            stop_child(process)
        self.state.record_path(name, daemon).unlink(missing_ok=True)

    def start_daemon(self, name: str, daemon: str, timeout: float = 10.0) -> None:
        self._require_owner()
        router = self.router(name)
        if self.daemon_running(name, daemon):
            return
        deadline = time.monotonic() + timeout
        for stale in control_sockets(daemon, router.paths):
            stale.unlink(missing_ok=True)
        if router.software == "frr" and daemon != "sshd":
            self._start_frr([router], deadline, only=daemon)
        else:
            self._start(router, daemon)

    def _start_frr(self, routers: list[Router], deadline: float, only: str | None = None) -> None:
        """Start the FRR daemons of `routers` (or only the one named), then load their
        configuration.

        zebra comes first, bgpd once zebra accepts clients, and the configuration (with
        it every session) once bgpd is connected to zebra. A bgpd that finds no zebra
        retries only 10 s later, and a session it brings up meanwhile has no interface
        for its peer: FRR then treats the peer's IPv6 routes, whose next hop on the IXP
        LAN is link-local, as withdrawn, and the session stays Established with no
        prefixes. Connected to zebra, bgpd instead resets a session that comes up before
        it knows the interface, and the next attempt works.
        """

        def wanted(router: Router) -> list[str]:
            return [d for d in frr_daemons(router.spec) if only is None or d == only]

        for router in routers:
            if "zebra" in wanted(router):
                self._start(router, "zebra")
        for router in routers:
            if "zebra" in wanted(router):  # then zebra also accepts clients
                self._wait_control_sockets(router, ["zebra"], deadline)
        for router in routers:
            for daemon in wanted(router):
                if daemon != "zebra":
                    self._start(router, daemon)
        for router in routers:
            self._wait_control_sockets(router, wanted(router), deadline)
        for router in routers:
            if "bgpd" in wanted(router):
                self._wait_until(
                    lambda router=router: "bgp" in router.zebra_clients(),
                    deadline,
                    lambda router=router: f"{router.name}: bgpd did not connect to zebra",
                )
        self._apply_frr_config(routers, deadline)

    def _wait_control_sockets(self, router: Router, names: Iterable[str], deadline: float) -> None:
        sockets = [s for name in names for s in control_sockets(name, router.paths)]
        self._wait_until(
            lambda: all(_accepts(s) for s in sockets),
            deadline,
            lambda: f"{router.name}: daemons did not open {', '.join(map(str, sockets))}",
        )

    def _apply_frr_config(self, routers: list[Router], deadline: float) -> None:
        """`vtysh -b`: load each router's frr.conf into its daemons, routers in parallel."""
        runs = [
            (
                router,
                subprocess.Popen(
                    [*vtysh_argv(router.paths), "-b"],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    preexec_fn=lambda name=router.name: become_host(name),
                ),
            )
            for router in routers
        ]
        for router, process in runs:
            stdout, stderr = process.communicate(timeout=max(deadline - time.monotonic(), 1))
            if process.returncode != 0:
                self._check_children()  # a dead daemon explains a failed load best
                raise LabError(
                    f"{router.name}: loading {router.paths.frr_conf} failed: "
                    f"{(stderr or stdout).strip()}"
                )

    def _wait_ssh(self, address: str, deadline: float) -> None:
        self._wait_until(
            lambda: _tcp_open(address, 22),
            deadline,
            lambda: f"sshd on {address} did not accept connections",
        )

    def _wait_until(
        self, condition: Callable[[], bool], deadline: float, describe: Callable[[], str]
    ) -> None:
        """Poll `condition` until the deadline; a daemon that dies meanwhile fails at once
        (it would never make the condition true)."""
        while not condition():
            self._check_children()
            if time.monotonic() >= deadline:
                raise LabError(f"timed out: {describe()}")
            time.sleep(POLL_INTERVAL)

    # --- dead daemons ------------------------------------------------------------------

    def _exited_children(self) -> list[DeadDaemon]:
        return [
            DeadDaemon(name, daemon, describe_exit(code), self.router(name).paths.log(daemon))
            for (name, daemon), process in self._children.items()
            if (code := process.poll()) is not None
        ]

    def _check_children(self) -> None:
        """Raise if a daemon this process started has exited, quoting its log."""
        exited = self._exited_children()
        if exited:
            raise LabError("; ".join(dead.sentence() for dead in exited))

    def record_exits(self) -> list[DeadDaemon]:
        """For the owner: note each daemon that exited since the last call (for `lab
        status`), and return those."""
        noted = []
        for dead in self._exited_children():
            if self.state.recorded_exit(dead.router, dead.daemon) is None:
                self.state.record_exit(dead.router, dead.daemon, dead.how)
                noted.append(dead)
        return noted

    def dead_daemons(self) -> list[DeadDaemon]:
        """Daemons of the running lab that have died, seen from any process: recorded as
        started, no longer alive (and not stopped on purpose, which drops the record)."""
        dead = []
        for name, record in self.state.records().items():
            router, _, daemon = name.partition(".")
            if router not in self._routers or record.is_alive():
                continue
            how = self.state.recorded_exit(router, daemon) or "is not running"
            dead.append(DeadDaemon(router, daemon, how, self.router(router).paths.log(daemon)))
        return dead

    # --- sessions ----------------------------------------------------------------------

    def sessions(self, router: str) -> list[dict[str, Any]]:
        return self.router(router).sessions()

    def wait_established(
        self,
        router: str = "r1",
        peers: Iterable[str] | None = None,
        timeout: float = 10.0,
        prefixes: bool = False,
    ) -> list[dict[str, Any]]:
        """Poll until the sessions (every configured one, or those with the `peers`
        addresses) are Established; with `prefixes`, also until each has received as
        many prefixes as its peer announces. Returns the sessions."""
        wanted = set(peers) if peers is not None else None
        deadline = time.monotonic() + timeout
        while True:
            self._check_children()
            sessions = self.sessions(router)
            if wanted is not None:
                sessions = [s for s in sessions if s["neighbour"] in wanted]
            pending = [s for s in sessions if not self._session_ready(s, prefixes)]
            missing = (wanted or set()) - {s["neighbour"] for s in sessions}
            if sessions and not pending and not missing:
                return sessions
            if time.monotonic() >= deadline:
                waiting = [
                    f"{s['neighbour']} {s['state']} ({s['prefixes_received']} prefixes)"
                    for s in pending
                ] + [f"{address} not configured" for address in sorted(missing)]
                raise LabError(
                    f"{router}: sessions not ready after {timeout:.0f} s: "
                    + (", ".join(waiting) or "no session configured")
                )
            time.sleep(POLL_INTERVAL)

    def _session_ready(self, session: dict[str, Any], prefixes: bool) -> bool:
        if session["state"] != "Established":
            return False
        if not prefixes:
            return True
        expected = self.topology.expected_prefixes(session["neighbour"])
        return expected is None or session["prefixes_received"] == expected

    # --- reset -------------------------------------------------------------------------

    def reset(self, timeout: float = 30.0) -> None:
        """Back to the starting topology: every daemon running, each FRR router's running
        configuration and frr.conf as after up(), r1's sessions Established."""
        self._require_owner()
        deadline = time.monotonic() + timeout
        for router in self._frr_routers():
            # A test may have saved a changed configuration (`write memory`).
            router.paths.frr_conf.write_text(router.paths.starting_conf.read_text())
        stopped = [
            (router.name, daemon)
            for router in self.routers
            for daemon in daemons(router.spec)
            if not self.daemon_running(router.name, daemon)
        ]
        for key in stopped:  # forget them all first: a dead one fails any wait
            self._children.pop(key, None)
        for name, daemon in stopped:
            self.start_daemon(name, daemon, timeout=deadline - time.monotonic())
        for router in self._frr_routers():
            self._restore_frr_config(router, deadline)
        for router in self._managed_bird_routers():
            self._restore_bird_config(router, deadline)
        self.wait_established("r1", timeout=deadline - time.monotonic(), prefixes=True)

    def _managed_bird_routers(self) -> list[Router]:
        return [r for r in self.routers if r.software == "bird" and r.mgmt_address]

    def _restore_bird_config(self, router: Router, deadline: float) -> None:
        """The starting bird.conf and an empty include file, napalm-bird's state (and with
        it any pending commit, whose timer then does nothing) removed, then `configure`."""
        paths = router.paths
        starting = configs.bird_config(router.spec, paths.bird_include)
        if (
            paths.bird_conf.read_text() == starting
            and paths.bird_include.read_text() == ""
            and not paths.bird_state_dir.exists()
        ):
            return
        shutil.rmtree(paths.bird_state_dir, ignore_errors=True)
        paths.bird_include.write_text("")
        paths.bird_conf.write_text(starting)
        output = router.birdc("configure", timeout=max(deadline - time.monotonic(), 5))
        if "Reconfigured" not in output and "Reconfiguration in progress" not in output:
            raise LabError(f"{router.name}: configure after reset failed: {output.strip()}")

    def _restore_frr_config(self, router: Router, deadline: float) -> None:
        starting = router.paths.starting_conf
        if router.vtysh("show running-config") == self._running_config[router.name]:
            return
        paths = router.paths
        reload = run_captured(
            [
                str(FRR_RELOAD),
                "--reload",
                "--stdout",
                "--vty_socket",
                str(paths.vty_dir),
                "--confdir",
                str(paths.root),
                "--rundir",
                str(paths.run_dir),
                str(starting),
            ],
            timeout=max(deadline - time.monotonic(), 5),
            hostname=router.name,
        )
        router.paths.frr_conf.write_text(starting.read_text())
        if router.vtysh("show running-config") == self._running_config[router.name]:
            return
        # frr-reload could not undo the change: restart the router from its file.
        for daemon in frr_daemons(router.spec):
            self.stop_daemon(router.name, daemon)
        for daemon in frr_daemons(router.spec):
            for stale in control_sockets(daemon, router.paths):
                stale.unlink(missing_ok=True)
        self._start_frr([router], deadline)
        if router.vtysh("show running-config") != self._running_config[router.name]:
            raise LabError(
                f"{router.name}: could not restore the starting configuration "
                f"(frr-reload said: {reload.stdout.strip()[-300:]})"
            )

    # --- NAPALM ------------------------------------------------------------------------

    def napalm_params(self, name: str) -> dict[str, Any]:
        """Arguments for napalm's driver(...) to manage `name` over SSH: napalm-frr for r1,
        napalm-bird for rs1."""
        router = self.router(name)
        if not router.mgmt_address:
            managed = ", ".join(r.name for r in self.routers if r.mgmt_address)
            raise LabError(f"{name} is not managed over SSH; only {managed} are")
        paths = router.paths
        if router.software == "bird":
            return {
                "hostname": router.mgmt_address,
                "username": "root",
                "password": "",
                "optional_args": {
                    "key_file": str(self.ssh.client_key),
                    "known_hosts_file": str(self.ssh.known_hosts),
                    "config_file": str(paths.bird_conf),
                    "include_file": str(paths.bird_include),
                    "birdc_socket": str(paths.bird_socket),
                    "state_dir": str(paths.bird_state_dir),
                },
            }
        return {
            "hostname": router.mgmt_address,
            "username": "root",
            "password": "",
            "optional_args": {
                "key_file": str(self.ssh.client_key),
                "known_hosts_file": str(self.ssh.known_hosts),
                "vty_socket": str(paths.vty_dir),
                "config_dir": str(paths.root),
                "config_file": str(paths.frr_conf),
                "run_dir": str(paths.run_dir),
                "frr_reload": str(FRR_RELOAD),
            },
        }


def _keep_lab_addresses_local() -> None:
    try:
        install_unreachable_routes()
    except GuardError as error:
        raise LabError(error) from error


def _accepts(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        try:
            client.connect(str(path))
        except OSError:
            return False
    return True


def _tcp_open(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=0.5):
            return True
    except OSError:
        return False
