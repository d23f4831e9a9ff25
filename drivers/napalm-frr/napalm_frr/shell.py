"""Router-side shell scaffolding of a driver that runs POSIX sh programs over SSH.

A driver's `RouterSetup` subclasses `ShellPrograms`: it names itself (`driver_name`,
e.g. "napalm-frr"), writes a `_prologue()` (the shell variables and functions its
programs use) and gives the bodies of `confirm()` and `rollback()`, which run detached
like a commit (`_detached`). The prologue defines `fail_ CODE MESSAGE...` and, for
`pending()`, `lock_`, `pending_active_` and `pending_field_ NAME`; programs keep their
files in "$STATE".

Every command is one `sh -c PROGRAM DRIVER-NAME ARGS...` (behind `sudo -n` when asked);
`batch()` runs several shell pieces in one round trip, each output followed by a line
"@@<driver name>-status <exit status>".
"""

from __future__ import annotations

import shlex
from typing import ClassVar

HEADER = "set -u\numask 077\n"

# Exit status of a confirm program when no commit is waiting for confirmation.
NOTHING_PENDING = 20

# Upload on stdin: the candidate the detached program applies.
UPLOAD = r"""
mkdir -p "$STATE" && cat > "$STATE/candidate-$1.conf" || fail_ 15 "cannot write to $STATE"
"""

# Runs $PROGRAM in its own session: it finishes even if the SSH session dies.
_DETACHED = r"""
mkdir -p "$STATE" || fail_ 15 "cannot create the state directory $STATE"
log="$STATE/$NAME-$1.log"
setsid sh -c "$PROGRAM" "@DRIVER@-$NAME" "$@" < /dev/null > "$log" 2>&1 &
wait $!
status=$?
cat "$log"
rm -f "$log"
exit $status
"""

# Under the lock: a revert in progress finishes before the answer.
PENDING = r"""
lock_
if pending_active_; then echo "pending $(pending_field_ deadline)"; else echo none; fi
"""


def output_mark(driver_name: str) -> str:
    """The line prefix that ends each piece's output in a `batch`."""
    return f"@@{driver_name}-status"


def split_batch_output(stdout: str, count: int, mark: str) -> list[tuple[int, str]]:
    """(exit status, output) of each piece of a `batch`; -1 for a piece that never ran."""
    results: list[tuple[int, str]] = []
    rest = stdout
    for _ in range(count):
        output, found, rest = rest.partition(f"\n{mark} ")
        status, _, rest = rest.partition("\n")
        results.append((int(status) if found and status.strip().isdigit() else -1, output))
    return results


class ShellPrograms:
    """Builds the commands a driver sends; subclasses are frozen dataclasses with `sudo`."""

    driver_name: ClassVar[str]
    confirm_program: ClassVar[str]  # body that confirms a pending commit
    rollback_program: ClassVar[str]  # body that rolls back the last commit
    sudo: bool

    @property
    def output_mark(self) -> str:
        return output_mark(self.driver_name)

    def _prologue(self) -> str:
        """HEADER, the driver's variables and shell functions."""
        raise NotImplementedError

    def _program(self, body: str, **variables: str) -> str:
        assignments = "".join(f"{name}={shlex.quote(value)}\n" for name, value in variables.items())
        return self._prologue() + assignments + body

    def _sh(self, program: str, *args: str) -> str:
        prefix = ["sudo", "-n"] if self.sudo else []
        return shlex.join([*prefix, "sh", "-c", program, self.driver_name, *args])

    def batch(self, pieces: list[str]) -> str:
        """Several shell pieces in one round trip; each output ends with a status mark."""
        mark = self.output_mark
        body = "".join(f"{{ {piece}\n}}; printf '\\n{mark} %s\\n' $?\n" for piece in pieces)
        return self._sh(self._program(body))

    def split_batch_output(self, stdout: str, count: int) -> list[tuple[int, str]]:
        return split_batch_output(stdout, count, self.output_mark)

    def _detached(self, name: str, program: str, *args: str, upload: bool = False) -> str:
        """Runs `program` detached as "<driver>-<name>", its output kept in
        "$STATE/<name>-<first arg>.log" until it ends; with `upload`, stdin is first
        saved as "$STATE/candidate-<first arg>.conf"."""
        body = (UPLOAD if upload else "") + _DETACHED.replace("@DRIVER@", self.driver_name)
        return self._sh(self._program(body, PROGRAM=program, NAME=name), *args)

    def confirm(self, token: str) -> str:
        return self._detached("confirm", self._program(self.confirm_program), token)

    def rollback(self, token: str) -> str:
        return self._detached("rollback", self._program(self.rollback_program), token)

    def pending(self) -> str:
        """Prints "pending <deadline>" or "none"."""
        return self._sh(self._program(PENDING))
