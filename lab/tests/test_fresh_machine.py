"""The lab on a machine where its daemons never ran: no /run/sshd, /run/frr or /var/tmp/frr.

Each test runs in a private mount namespace with empty /run and /var/tmp, so the
machine's own directories (which other labs' sshd processes need) stay untouched. Only
the machine-wide claims on lab instances (/run/peerkeeper-lab) stay visible there: the
lab started inside must see, and be seen by, every other user of its instance.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from lab import Lab
from lab.claims import CLAIMS_DIR
from lab.netns import list_root_links
from lab.state import REPO_ROOT

FRESH_RUNTIME = (
    f"mkdir -p {CLAIMS_DIR} && claims=$(mktemp -d) && mount --bind {CLAIMS_DIR} $claims"
    f" && mount -t tmpfs tmpfs /run && mkdir {CLAIMS_DIR} && mount --move $claims {CLAIMS_DIR}"
    " && rmdir $claims && mount -t tmpfs tmpfs /var/tmp"
)


def on_a_fresh_machine(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a shell script (arguments in $1...) where /run and /var/tmp are empty, as
    after a reboot of a machine that never started sshd or FRR."""
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c",
         f"{FRESH_RUNTIME} || exit 99\n{script}", "sh", *args],
        capture_output=True, text=True, timeout=180, cwd=REPO_ROOT, check=False,
    )  # fmt: skip


def test_the_lab_starts_and_r1_answers_ssh_without_any_runtime_directory(spare_lab: Lab) -> None:
    instance = spare_lab.instance
    python = sys.executable
    script = textwrap.dedent(f"""
        test ! -e /run/sshd && test ! -e /run/frr && test ! -e /var/tmp/frr || exit 98
        trap '{python} -m lab down --instance {instance} >/dev/null' EXIT
        {python} -m lab up --instance {instance} || exit 1
        echo "ssh: $(ssh -F {spare_lab.ssh.client_config} -o BatchMode=yes r1 hostname)"
        echo "privsep: $(stat -c '%U %a' /run/sshd)"
    """)

    result = on_a_fresh_machine(script)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "ssh: r1" in lines
    assert "privsep: root 755" in lines
    assert list_root_links(spare_lab.topology.prefix) == []


def test_a_daemon_that_exits_during_up_fails_it_at_once_with_the_daemons_words(
    spare_lab: Lab,
) -> None:
    # The fault a fresh machine showed before the lab prepared /run/sshd: sshd exits at
    # once, and up() must say so instead of waiting for its timeout.
    program = textwrap.dedent(f"""
        import sys
        import lab.instance
        from lab.errors import LabError

        lab.instance.prepare_runtime_directories = lambda: None  # nothing prepared
        try:
            lab.instance.Lab({spare_lab.instance}).up(timeout=120)
        except LabError as error:
            print(error)
            sys.exit(3)
    """)

    result = on_a_fresh_machine(f'{sys.executable} -c "$1"', program)

    assert result.returncode == 3, result.stdout + result.stderr
    error = result.stdout.strip()
    assert error.startswith("r1: sshd exited with status 255; the end of "), error
    assert error.endswith("Missing privilege separation directory: /run/sshd"), error
    assert list_root_links(spare_lab.topology.prefix) == []
