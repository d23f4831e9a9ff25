"""What the lab's daemons need from the machine, prepared before they start.

A machine where the daemons never ran as services lacks the runtime directories their
services create at boot:

- sshd refuses to start without its privilege separation directory, /run/sshd (owned by
  root, not writable by others; Debian's ssh service creates it at each start). sshd
  enters it at every connection, so it must stay while any sshd runs.
- FRR's daemons create /run/frr and /var/tmp/frr themselves (and the lab gives them
  their sockets and PID files in the state directory), and BIRD uses only the socket,
  PID file and configuration the lab gives it: neither needs anything prepared.
"""

from __future__ import annotations

import os
from pathlib import Path

SSHD_PRIVSEP_DIR = Path("/run/sshd")


def prepare_runtime_directories() -> None:
    """Create what the daemons cannot create for themselves. Idempotent."""
    ensure_root_directory(SSHD_PRIVSEP_DIR)


def ensure_root_directory(path: Path, mode: int = 0o755) -> None:
    """A directory owned by root and writable only by root, as sshd requires of its
    privilege separation directory. An existing one is left as it is."""
    try:
        path.mkdir(mode=mode)
    except FileExistsError:
        return
    os.chown(path, 0, 0)
    path.chmod(mode)  # mkdir's mode is reduced by the umask
