"""What the lab needs from the machine, with a one-line answer when it is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# File the lab runs -> the Debian package that provides it.
REQUIRED_FILES: tuple[tuple[str, str], ...] = (
    ("/usr/lib/frr/zebra", "frr"),
    ("/usr/lib/frr/bgpd", "frr"),
    ("/usr/lib/frr/staticd", "frr"),
    ("/usr/bin/vtysh", "frr"),
    ("/usr/lib/frr/frr-reload.py", "frr-pythontools"),
    ("/usr/sbin/bird", "bird2"),
    ("/usr/sbin/birdc", "bird2"),
    ("/usr/sbin/sshd", "openssh-server"),
    ("/usr/bin/ssh", "openssh-client"),
    ("/usr/bin/ssh-keygen", "openssh-client"),
)


def missing_packages() -> list[str]:
    packages = [package for path, package in REQUIRED_FILES if not Path(path).exists()]
    if shutil.which("ip") is None:
        packages.append("iproute2")
    return sorted(set(packages))


def unavailable_reason() -> str | None:
    """Why the lab cannot run here (one line), or None when it can."""
    if os.geteuid() != 0:
        return "the lab needs root (it creates network namespaces): run it as root"
    packages = missing_packages()
    if packages:
        names = " ".join(packages)
        return (
            f"the lab needs the Debian package(s) {', '.join(packages)}: "
            f"apt-get install -y --no-install-recommends {names}"
        )
    return None
