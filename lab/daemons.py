"""Where each router keeps its files, and the command lines of its daemons.

FRR runs as uid root with group frrvty (`-u root -g frrvty`), started with that group
already set: a process that changes its user or group ID loses PR_SET_PDEATHSIG, so an
FRR dropping to the `frr` user would outlive a crashed lab. As uid root the daemons
also need no ownership changes on the state directory.
"""

from __future__ import annotations

import grp
import shlex
import stat
from dataclasses import dataclass
from pathlib import Path

from lab.topology import RouterSpec

FRR_BIN = Path("/usr/lib/frr")
FRR_RELOAD = FRR_BIN / "frr-reload.py"
VTYSH = Path("/usr/bin/vtysh")
BIRD = Path("/usr/sbin/bird")
BIRDC = Path("/usr/sbin/birdc")
SSHD = Path("/usr/sbin/sshd")
FRR_GROUP = "frrvty"


@dataclass(frozen=True)
class RouterPaths:
    """A router's directory in the state dir. For FRR it is also the config dir that
    vtysh (`--config_dir`) and frr-reload.py (`--confdir`) use."""

    root: Path

    @property
    def frr_conf(self) -> Path:
        return self.root / "frr.conf"

    @property
    def starting_conf(self) -> Path:
        return self.root / "frr.conf.start"

    @property
    def vtysh_conf(self) -> Path:
        return self.root / "vtysh.conf"

    @property
    def vty_dir(self) -> Path:
        return self.root / "vty"

    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    @property
    def zserv(self) -> Path:
        return self.run_dir / "zserv.api"

    @property
    def bird_conf(self) -> Path:
        return self.root / "bird.conf"

    @property
    def bird_include(self) -> Path:
        """What napalm-bird's merge mode manages on a managed BIRD router (rs1): the file
        its bird.conf includes."""
        return self.root / "napalm-bird.conf"

    @property
    def bird_state_dir(self) -> Path:
        """napalm-bird's files on a managed BIRD router (rollback point, pending commit)."""
        return self.root / "napalm-bird"

    @property
    def bird_socket(self) -> Path:
        return self.run_dir / "bird.ctl"

    @property
    def bin_dir(self) -> Path:
        """Wrappers that give `vtysh` / `birdc` this router's socket options."""
        return self.root / "bin"

    def log(self, daemon: str) -> Path:
        return self.root / f"{daemon}.log"

    def pidfile(self, daemon: str) -> Path:
        return self.run_dir / f"{daemon}.pid"


def frr_daemons(spec: RouterSpec) -> tuple[str, ...]:
    # staticd only on the managed router (the one with a management address), where a
    # deployment may add static routes.
    return ("zebra", "bgpd", "staticd") if spec.mgmt_address else ("zebra", "bgpd")


def bgp_daemon(spec: RouterSpec) -> str:
    return "bgpd" if spec.software == "frr" else "bird"


def daemons(spec: RouterSpec) -> tuple[str, ...]:
    base = frr_daemons(spec) if spec.software == "frr" else ("bird",)
    return (*base, "sshd") if spec.mgmt_address else base


def frr_group_id() -> int:
    return grp.getgrnam(FRR_GROUP).gr_gid


def daemon_argv(daemon: str, spec: RouterSpec, paths: RouterPaths, namespace: str) -> list[str]:
    netns = ["ip", "netns", "exec", namespace]
    if daemon == "bird":
        return [*netns, str(BIRD), "-f", "-c", str(paths.bird_conf),
                "-s", str(paths.bird_socket), "-P", str(paths.pidfile("bird"))]  # fmt: skip
    if daemon == "sshd":
        return [*netns, str(SSHD), "-D", "-e", "-f", str(paths.root / "sshd_config")]
    argv = [
        *netns,
        str(FRR_BIN / daemon),
        "-u", "root", "-g", FRR_GROUP,
        "-P", "0",  # no TCP vty: vtysh goes through the socket directory
        "-f", "/dev/null",  # configuration comes from frr.conf through `vtysh -b`
        "--vty_socket", str(paths.vty_dir),
        "-z", str(paths.zserv),
        "-i", str(paths.pidfile(daemon)),
        "--log", "stdout",
    ]  # fmt: skip
    if daemon == "zebra":
        argv += ["-s", "90000000"]  # netlink buffer for 10,000 routes at once
    if daemon == "bgpd" and not spec.mgmt_address:
        argv.append("-n")  # peers need no FIB; saves installing r1's table in them
    return argv


def vtysh_argv(paths: RouterPaths) -> list[str]:
    return [str(VTYSH), "--vty_socket", str(paths.vty_dir), "--config_dir", str(paths.root)]


def birdc_argv(paths: RouterPaths) -> list[str]:
    return [str(BIRDC), "-s", str(paths.bird_socket)]


def write_wrappers(spec: RouterSpec, paths: RouterPaths) -> None:
    paths.bin_dir.mkdir(parents=True, exist_ok=True)
    if spec.software == "frr":
        name, argv = "vtysh", vtysh_argv(paths)
    else:
        name, argv = "birdc", birdc_argv(paths)
    wrapper = paths.bin_dir / name
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.join(argv)} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def control_sockets(daemon: str, paths: RouterPaths) -> list[Path]:
    """The sockets that exist once the daemon accepts commands. zebra opens its vty
    socket after the socket its clients (bgpd, staticd) connect to: once the vty
    accepts, so does the other."""
    if daemon == "bird":
        return [paths.bird_socket]
    if daemon == "sshd":
        return []
    return [paths.vty_dir / f"{daemon}.vty"]
