"""Shell programs the driver runs on the router (POSIX sh, flock, setsid).

Configuration changes run on the router, detached from the SSH session, so a
client that disappears halfway cannot leave a half-applied configuration, and
a `revert_in` timer keeps running without it. Files in the state directory:

    lock            flock(1) serialising configuration changes
    rollback.conf   running configuration before the last commit
    pending         a commit waiting for confirmation: token, timer pid, boot id
    startup.saved   the startup file while frr-reload.py runs (it rewrites it)
    history.log     one line per commit: time, id, message
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import ClassVar

from napalm_frr import shell

# Exit statuses of the programs below.
LOCKED = 10
PENDING = 11
INVALID = 12
NO_RUNNING = 13
APPLY_FAILED = 14
NO_RELOAD = 15
NOT_RESTORED = 16
CHANGED_MEANWHILE = 17
NOT_SAVED = 18
NOTHING_PENDING = shell.NOTHING_PENDING
NO_ROLLBACK_POINT = 30

_FUNCTIONS = r"""
fail_() { code=$1; shift; printf '%s\n' "$*"; exit "$code"; }

lock_() {
    mkdir -p "$STATE" "$RUN_DIR" || fail_ 15 "cannot create the state directory $STATE"
    exec 9>>"$STATE/lock"
    flock -w "$LOCK_WAIT" 9 || fail_ 10 "another configuration change is running on the router"
}

boot_id_() { cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown; }

pending_field_() { sed -n "s/^$1=//p" "$STATE/pending" 2>/dev/null; }

# A pending file from before a reboot is void: the timer died with the router,
# and the startup configuration it came up with is the one before the commit.
pending_active_() {
    [ -f "$STATE/pending" ] || return 1
    if [ "$(pending_field_ boot)" != "$(boot_id_)" ]; then
        rm -f "$STATE/pending"
        return 1
    fi
}

stop_timer_() {
    pid=$(pending_field_ pid)
    token=$(pending_field_ token)
    [ -n "$pid" ] && [ -n "$token" ] || return 0
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "napalm-frr-revert $token"; then
        kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    fi
    return 0
}

running_() { vtysh_ -c 'show running-config no-header'; }

# Without the integrated file vtysh would save one file per daemon elsewhere.
ensure_startup_() {
    [ -e "$CONF" ] && return 0
    : > "$CONF" && chmod 640 "$CONF" && { chown frr:frr "$CONF" 2>/dev/null || true; }
}

save_startup_() { ensure_startup_ && cp -p "$CONF" "$STATE/startup.saved"; }

restore_startup_() { cat "$STATE/startup.saved" > "$CONF"; }

persist_() {
    ensure_startup_
    out=$(vtysh_ -c 'write memory' 2>&1) || { printf '%s\n' "$out"; return 1; }
}

# The prefix-lists, AS-path and community lists of a configuration (file $1), sorted.
lists_() {
    grep -E '^(ip|ipv6) prefix-list |^bgp (as-path access-list|(large-|ext)?community-list) ' \
        "$1" | sort
}

# FRR filters the routes it receives with a changed list only from the next update
# on: the routes it holds keep the old list's verdict until a neighbour is cleared
# "soft in". So when a list changed, every BGP instance re-reads what it received
# (from its soft-reconfiguration copy, else by a route refresh).
refresh_policy_() {
    running_ > "$STATE/after.conf" || return 0
    lists_ "$STATE/before.conf" > "$STATE/lists.before"
    lists_ "$STATE/after.conf" > "$STATE/lists.after"
    if ! cmp -s "$STATE/lists.before" "$STATE/lists.after"; then
        for vrf in "" $(sed -n 's/^router bgp [0-9.]* vrf \([^ ]*\)$/\1/p' "$STATE/after.conf"); do
            for family in ipv4 ipv6; do
                vtysh_ -c "clear bgp ${vrf:+vrf $vrf }$family unicast * soft in" > /dev/null 2>&1
            done
        done
    fi
    rm -f "$STATE/after.conf" "$STATE/lists.before" "$STATE/lists.after"
}

# apply_ FILE: make FILE the running configuration, or leave the running one as
# it was. frr-reload.py applies line by line; when a line fails, the lines
# before it stay, so the saved configuration is reloaded and compared.
apply_() {
    running_ > "$STATE/before.conf" || fail_ 13 "cannot read the running configuration"
    save_startup_ || fail_ 13 "cannot save a copy of $CONF"
    if reload_ --reload "$1" > "$STATE/apply.log" 2>&1; then
        restore_startup_
        refresh_policy_
        return 0
    fi
    cat "$STATE/apply.log"
    reload_ --reload "$STATE/before.conf" > "$STATE/restore.log" 2>&1
    restore_startup_
    running_ > "$STATE/after.conf"
    if cmp -s "$STATE/before.conf" "$STATE/after.conf"; then
        echo "@@ the running configuration was restored"
        return 14
    fi
    echo "@@ the running configuration could not be restored; it differs from before:"
    diff "$STATE/before.conf" "$STATE/after.conf" 2>/dev/null
    return 16
}
"""

_REVERT = r"""
token=$1
sleep "$2"
LOCK_WAIT=86400
lock_
pending_active_ || exit 0
[ "$(pending_field_ token)" = "$token" ] || exit 0
apply_ "$STATE/rollback.conf"
status=$?
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
if [ "$status" -ne 0 ]; then
    # still pending: has_pending_commit() shows it, rollback() can try again
    echo "$now commit $token not confirmed; reverting it failed (status $status)"
    exit "$status"
fi
persist_
rm -f "$STATE/pending"
echo "$now commit $token not confirmed: reverted"
"""

_COMMIT = r"""
token=$1
revert_in=$2
expected=$3
message=$4
candidate="$STATE/candidate-$token.conf"
trap 'rm -f "$candidate"' EXIT
[ -x "$RELOAD" ] || fail_ 15 "$RELOAD is missing (Debian package frr-pythontools)"
lock_
pending_active_ && fail_ 11 "a commit is waiting for confirmation; confirm or roll it back first"
out=$(vtysh_ -C -f "$candidate" 2>&1) || fail_ 12 "$out"
if [ -n "$expected" ]; then
    now=$(running_ | sha256sum | cut -d' ' -f1)
    [ "$now" = "$expected" ] ||
        fail_ 17 "the running configuration changed since the merge was computed"
fi
apply_ "$candidate" || exit $?
mv "$STATE/before.conf" "$STATE/rollback.conf"
printf '%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$token" "$message" >> "$STATE/history.log"
if [ "$revert_in" -gt 0 ]; then
    # fd 9 holds the lock; the timer must not keep it while it sleeps
    setsid sh -c "$REVERT_PROGRAM" napalm-frr-revert "$token" "$revert_in" \
        < /dev/null >> "$STATE/revert.log" 2>&1 9>&- &
    printf 'token=%s\npid=%s\nboot=%s\ndeadline=%s\n' "$token" "$!" "$(boot_id_)" \
        "$(( $(date +%s) + revert_in ))" > "$STATE/pending.new"
    mv "$STATE/pending.new" "$STATE/pending"
else
    persist_ || fail_ 18 "the change is running but saving it to $CONF failed"
fi
"""

_CONFIRM = r"""
lock_
pending_active_ || fail_ 20 "no commit is waiting for confirmation"
stop_timer_
persist_ || fail_ 18 "saving the confirmed configuration to $CONF failed"
rm -f "$STATE/pending"
"""

_ROLLBACK = r"""
lock_
[ -f "$STATE/rollback.conf" ] || fail_ 30 "there is no rollback point in $STATE"
[ -x "$RELOAD" ] || fail_ 15 "$RELOAD is missing (Debian package frr-pythontools)"
apply_ "$STATE/rollback.conf" || exit $?
pending_active_ && stop_timer_
rm -f "$STATE/pending"
persist_ || fail_ 18 "the rollback is running but saving it to $CONF failed"
"""

# Upload on stdin, then check the syntax: vtysh -m prints the text with "end"
# after each context it closed, which is how FRR itself reads the structure.
_CHECK = r"""
file="$STATE/check-$1.conf"
mkdir -p "$STATE" && cat > "$file" || fail_ 15 "cannot write to $STATE"
trap 'rm -f "$file"' EXIT
vtysh_ -m -f "$file"
"""

# What frr-reload.py would change, without changing anything.
_DRY_RUN = r"""
file="$STATE/compare-$1.conf"
mkdir -p "$STATE" && cat > "$file" || fail_ 15 "cannot write to $STATE"
trap 'rm -f "$file"' EXIT
[ -x "$RELOAD" ] || fail_ 15 "$RELOAD is missing (Debian package frr-pythontools)"
out=$(vtysh_ -C -f "$file" 2>&1) || fail_ 12 "$out"
reload_ --test "$file" 2>/dev/null
"""

OUTPUT_MARK = shell.output_mark("napalm-frr")


@dataclass(frozen=True)
class RouterSetup(shell.ShellPrograms):
    """Where FRR and the driver's files are on the router, and how to run vtysh."""

    driver_name: ClassVar[str] = "napalm-frr"
    confirm_program: ClassVar[str] = _CONFIRM
    rollback_program: ClassVar[str] = _ROLLBACK

    vtysh_command: str
    vty_socket: str | None
    config_file: str
    state_dir: str
    run_dir: str
    frr_reload: str
    sudo: bool
    lock_wait: int

    @property
    def config_dir(self) -> str:
        return self.config_file.rsplit("/", 1)[0] or "/"

    def vtysh_argv(self) -> list[str]:
        argv = [self.vtysh_command, "--config_dir", self.config_dir]
        if self.vty_socket:
            argv += ["--vty_socket", self.vty_socket]
        return argv

    def _prologue(self) -> str:
        vtysh = shlex.join(self.vtysh_argv())
        socket = ["--vty_socket", self.vty_socket] if self.vty_socket else []
        reload_args = shlex.join(
            ["--stdout", "--confdir", self.config_dir, "--rundir", self.run_dir, *socket]
        )
        return (
            shell.HEADER + f"STATE={shlex.quote(self.state_dir)}\n"
            f"RUN_DIR={shlex.quote(self.run_dir)}\n"
            f"CONF={shlex.quote(self.config_file)}\n"
            f"RELOAD={shlex.quote(self.frr_reload)}\n"
            f"LOCK_WAIT={int(self.lock_wait)}\n"
            f'BINDIR=$(dirname "$(command -v {shlex.quote(self.vtysh_command)})")\n'
            f'vtysh_() {{ {vtysh} "$@"; }}\n'
            f'reload_() {{ "$RELOAD" "$@" {reload_args} --bindir "$BINDIR"; }}\n' + _FUNCTIONS
        )

    @staticmethod
    def vtysh_piece(command: str) -> str:
        """A shell piece for `batch` that runs one vtysh command."""
        return f"vtysh_ -c {shlex.quote(command)}"

    def check(self, token: str) -> str:
        return self._sh(self._program(_CHECK), token)

    def dry_run(self, token: str) -> str:
        return self._sh(self._program(_DRY_RUN), token)

    def commit(self, token: str, revert_in: int, expected_running: str, message: str) -> str:
        """Reads the candidate on stdin, then applies it (see _COMMIT)."""
        revert = self._program(_REVERT)
        program = self._program(_COMMIT, REVERT_PROGRAM=revert)
        args = (token, str(revert_in), expected_running, message)
        return self._detached("commit", program, *args, upload=True)


def split_batch_output(stdout: str, count: int) -> list[tuple[int, str]]:
    """(exit status, output) of each piece of a `batch`; -1 for a piece that never ran."""
    return shell.split_batch_output(stdout, count, OUTPUT_MARK)


# vtysh prints this on every call when the config directory has no vtysh.conf
_VTYSH_NOISE = re.compile(r"^% Can't open configuration file .*vtysh\.conf")
_FRR_ERROR = re.compile(r"^(%|line \d+:)")
_LINE_NUMBER = re.compile(r"^line \d+: ")


def without_noise(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not _VTYSH_NOISE.match(line)).strip()


def frr_errors(output: str) -> str:
    """FRR's own error lines in vtysh / frr-reload.py output (each once), else the output."""
    errors: dict[str, str] = {}
    for raw in output.splitlines():
        line = raw.strip()
        if _FRR_ERROR.match(line) and not _VTYSH_NOISE.match(line):
            errors.setdefault(_LINE_NUMBER.sub("", line), line)
    return "\n".join(errors.values()) if errors else without_noise(output)


def dry_run_changes(stdout: str) -> list[str]:
    """The lines `frr-reload.py --test` would delete or add; empty when nothing changes."""
    headings = {"Lines To Delete", "Lines To Add"}
    return [
        line
        for line in stdout.splitlines()
        if line.strip() and line.strip() not in headings and set(line.strip()) != {"="}
    ]
