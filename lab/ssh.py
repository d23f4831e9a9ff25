"""SSH keys and files for the managed routers' (r1, rs1) management access: a host key,
a client key for root, authorized_keys and a known_hosts line per router, all in the
instance's state directory."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SSH_KEYGEN = "/usr/bin/ssh-keygen"


@dataclass(frozen=True)
class SshFiles:
    state_dir: Path

    @property
    def client_key(self) -> Path:
        return self.state_dir / "id_ed25519"

    @property
    def directory(self) -> Path:
        return self.state_dir / "ssh"

    @property
    def host_key(self) -> Path:
        return self.directory / "ssh_host_ed25519_key"

    @property
    def authorized_keys(self) -> Path:
        return self.directory / "authorized_keys"

    @property
    def known_hosts(self) -> Path:
        return self.directory / "known_hosts"

    @property
    def client_config(self) -> Path:
        return self.directory / "ssh_config"


def _generate(key: Path, comment: str) -> None:
    if key.exists() and key.with_suffix(".pub").exists():
        return
    key.unlink(missing_ok=True)
    subprocess.run(
        [SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(key)],
        check=True,
        capture_output=True,
    )


def prepare_ssh(files: SshFiles, hosts: str | Mapping[str, str]) -> None:
    """Create the keys once per state dir (kept across runs) and the files naming them.

    `hosts` maps each managed router's name to its management address (one address
    alone means r1); every router's sshd uses the same host key."""
    named = {"r1": hosts} if isinstance(hosts, str) else dict(hosts)
    files.directory.mkdir(parents=True, exist_ok=True)
    files.directory.chmod(0o755)  # sshd's StrictModes rejects writable key directories
    _generate(files.host_key, "peerkeeper-lab-host")
    _generate(files.client_key, "peerkeeper-lab-client")
    client_public = files.client_key.with_suffix(".pub").read_text()
    files.authorized_keys.write_text(client_public)
    files.authorized_keys.chmod(0o600)
    host_public = files.host_key.with_suffix(".pub").read_text().split()
    files.known_hosts.write_text(
        "".join(f"{address} {host_public[0]} {host_public[1]}\n" for address in named.values())
    )
    config: list[str] = []
    for name, address in named.items():
        config += [
            f"Host {name}",
            f"  HostName {address}",
            "  User root",
            f"  IdentityFile {files.client_key}",
            "  IdentitiesOnly yes",
            f"  UserKnownHostsFile {files.known_hosts}",
            "  StrictHostKeyChecking yes",
        ]
    files.client_config.write_text("\n".join([*config, ""]))


def ssh_argv(files: SshFiles, address: str, *, batch: bool = True) -> list[str]:
    """An ssh command line that logs in to a managed router (r1 by its address) as root
    with the lab's key."""
    return [
        "ssh",
        "-i", str(files.client_key),
        "-o", "IdentitiesOnly=yes",
        "-o", f"UserKnownHostsFile={files.known_hosts}",
        "-o", "StrictHostKeyChecking=yes",
        "-o", f"BatchMode={'yes' if batch else 'no'}",
        "-o", "ConnectTimeout=5",
        f"root@{address}",
    ]  # fmt: skip
