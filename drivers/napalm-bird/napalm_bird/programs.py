"""Shell programs the driver runs on the router (POSIX sh, flock, setsid, awk).

Every configuration change runs on the router under a lock, detached from the SSH
session (it finishes even if the client disappears). BIRD reads its configuration only
when told (`birdc configure`), so a candidate is checked by BIRD itself first
(`configure check "<file>"`, BIRD's parser on the file as it would be) and only then
renamed over the real file (atomic, same directory) and applied.

With `revert_in` the files on disk stay as they were: BIRD applies the candidate from
its own file with `configure "<file>" timeout N` and reverts by itself after N seconds
unless `configure confirm` comes first (BIRD's user's guide, "Remote control"); confirming
renames the candidate into place. A BIRD that restarts meanwhile reads the previous
configuration. Files in the state directory:

    lock             flock(1) serialising configuration changes
    rollback.conf    the configuration file before the last commit
    rollback.include the include file before the last commit ("absent" if none)
    pending          a commit waiting for confirmation: token, kind, deadline, BIRD's pid
    history.log      one line per commit: time, token, message
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import ClassVar

from napalm_frr import shell

# Exit statuses of the programs below.
LOCKED = 10
PENDING = 11
INVALID = 12
APPLY_FAILED = 14
SETUP = 15
NO_INCLUDE = 19
NOTHING_PENDING = shell.NOTHING_PENDING
REVERTED = 21
NO_ROLLBACK_POINT = 30

_FUNCTIONS = r"""
fail_() { code=$1; shift; printf '%s\n' "$*"; exit "$code"; }

lock_() {
    mkdir -p "$STATE" || fail_ 15 "cannot create the state directory $STATE"
    exec 9>>"$STATE/lock"
    flock -w "$LOCK_WAIT" 9 || fail_ 10 "another configuration change is running on the router"
}


pending_field_() { sed -n "s/^$1=//p" "$STATE/pending" 2>/dev/null; }

# A commit is pending while its deadline has not passed: BIRD reverts it by itself then
# (also a BIRD that restarted reads the files, which hold the previous configuration).
pending_active_() {
    [ -f "$STATE/pending" ] || return 1
    if [ "$(date +%s)" -ge "$(pending_field_ deadline)" ]; then
        rm -f "$(pending_field_ candidate)" "$(pending_field_ check)" "$STATE/pending"
        return 1
    fi
}

target_of_() { if [ "$1" = merge ]; then echo "$INCLUDE"; else echo "$CONF"; fi; }

# check_file_ KIND CANDIDATE: the main configuration as the commit would leave it.
check_file_() {
    if [ "$1" = replace ]; then echo "$2"; return 0; fi
    grep -qxF "include \"$INCLUDE\";" "$CONF" ||
        fail_ 19 "$CONF has no line include \"$INCLUDE\"; (needed to merge)"
    check="$(dirname "$CONF")/.$(basename "$CONF").check-$token"
    awk -v inc="include \"$INCLUDE\";" -v cand="include \"$2\";" \
        '$0 == inc { print cand; next } { print }' "$CONF" > "$check" ||
        fail_ 15 "cannot write $check"
    echo "$check"
}

# apply_ FILE [TIMEOUT]: BIRD reads FILE; 0 when it did.
apply_() {
    if [ -n "${2:-}" ]; then
        birdc_ "configure \"$1\" timeout $2"
    else
        birdc_ "configure \"$1\""
    fi
}

save_rollback_() {
    cp -p "$CONF" "$STATE/rollback.conf.new" || return 1
    if [ -f "$INCLUDE" ]; then
        cp -p "$INCLUDE" "$STATE/rollback.include.new" || return 1
    else
        echo absent > "$STATE/rollback.include.new"
    fi
    mv "$STATE/rollback.conf.new" "$STATE/rollback.conf"
    mv "$STATE/rollback.include.new" "$STATE/rollback.include"
}

# put_ SOURCE TARGET: SOURCE's text in TARGET, atomically, TARGET's mode kept.
put_() {
    new="$2.napalm-bird-$token"
    cp -p "$2" "$new" 2>/dev/null || : > "$new"
    cat "$1" > "$new" && mv -f "$new" "$2"
}

restore_rollback_() {
    put_ "$STATE/rollback.conf" "$CONF" || return 1
    if [ "$(cat "$STATE/rollback.include")" = absent ]; then
        rm -f "$INCLUDE"
    else
        put_ "$STATE/rollback.include" "$INCLUDE"
    fi
}
"""

_COMMIT = r"""
token=$1
kind=$2
revert_in=$3
message=$4
upload="$STATE/candidate-$token.conf"
target=$(target_of_ "$kind")
staged="$(dirname "$target")/.$(basename "$target").candidate-$token"
check=""
cleanup_() { rm -f "$upload"; [ -n "$check" ] && [ "$check" != "$staged" ] && rm -f "$check"; }
trap 'cleanup_' EXIT
lock_
pending_active_ && fail_ 11 "a commit is waiting for confirmation; confirm or roll it back first"
cp -p "$target" "$staged" 2>/dev/null || : > "$staged"
cat "$upload" > "$staged" || fail_ 15 "cannot write $staged"
check=$(check_file_ "$kind" "$staged") || { rm -f "$staged"; printf '%s\n' "$check"; exit 19; }
out=$(birdc_ "configure check \"$check\"" 2>&1)
case "$out" in
    *"Configuration OK"*) ;;
    *) rm -f "$staged"; fail_ 12 "$out" ;;
esac
save_rollback_ || { rm -f "$staged"; fail_ 15 "cannot save the rollback point in $STATE"; }
printf '%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$token" "$message" >> "$STATE/history.log"
if [ "$revert_in" -gt 0 ]; then
    out=$(apply_ "$check" "$revert_in" 2>&1) || { rm -f "$staged"; fail_ 14 "$out"; }
    printf 'token=%s\nkind=%s\ncandidate=%s\ncheck=%s\ndeadline=%s\n' "$token" "$kind" \
        "$staged" "$check" "$(( $(date +%s) + revert_in ))" > "$STATE/pending.new"
    mv "$STATE/pending.new" "$STATE/pending"
    check=""  # kept until confirmed: BIRD runs from it
    exit 0
fi
mv -f "$staged" "$target" || fail_ 15 "cannot rename $staged to $target"
if ! out=$(apply_ "$CONF" 2>&1); then
    restore_rollback_
    apply_ "$CONF" > /dev/null 2>&1
    fail_ 14 "$out"
fi
exit 0
"""

_CONFIRM = r"""
token=$1
lock_
pending_active_ || fail_ 20 "no commit is waiting for confirmation"
out=$(birdc_ "configure confirm" 2>&1)
case "$out" in
    *"Reconfiguration confirmed"*) ;;
    *) rm -f "$(pending_field_ candidate)" "$(pending_field_ check)" "$STATE/pending"
       fail_ 21 "BIRD has already reverted the commit: $out" ;;
esac
staged=$(pending_field_ candidate)
target=$(target_of_ "$(pending_field_ kind)")
mv -f "$staged" "$target" || fail_ 15 "cannot rename $staged to $target"
rm -f "$STATE/pending"
check=$(pending_field_ check)
out=$(apply_ "$CONF" 2>&1) || fail_ 14 "$out"
[ "$check" != "$staged" ] && rm -f "$check"
exit 0
"""

_ROLLBACK = r"""
token=$1
lock_
if pending_active_; then
    out=$(birdc_ "configure undo" 2>&1) || fail_ 14 "$out"
    staged=$(pending_field_ candidate)
    check=$(pending_field_ check)
    rm -f "$staged" "$check" "$STATE/pending"
    exit 0
fi
[ -f "$STATE/rollback.conf" ] || fail_ 30 "there is no rollback point in $STATE"
restore_rollback_ || fail_ 15 "cannot restore the files of the rollback point"
out=$(apply_ "$CONF" 2>&1) || fail_ 14 "$out"
"""

# Upload on stdin, then let BIRD check the file as the commit would leave it.
_CHECK = r"""
token=$1
kind=$2
upload="$STATE/check-$token.conf"
mkdir -p "$STATE" && cat > "$upload" || fail_ 15 "cannot write to $STATE"
target=$(target_of_ "$kind")
staged="$(dirname "$target")/.$(basename "$target").check-$token"
check=""
trap 'rm -f "$upload" "$staged"; [ -n "$check" ] && rm -f "$check"' EXIT
cat "$upload" > "$staged" || fail_ 15 "cannot write $staged"
check=$(check_file_ "$kind" "$staged") || { printf '%s\n' "$check"; check=""; exit 19; }
[ "$check" = "$staged" ] && check=""
out=$(birdc_ "configure check \"${check:-$staged}\"" 2>&1)
case "$out" in
    *"Configuration OK"*) ;;
    *) fail_ 12 "$out" ;;
esac
"""


@dataclass(frozen=True)
class RouterSetup(shell.ShellPrograms):
    """Where BIRD and the driver's files are on the router, and how to run birdc."""

    driver_name: ClassVar[str] = "napalm-bird"
    confirm_program: ClassVar[str] = _CONFIRM
    rollback_program: ClassVar[str] = _ROLLBACK

    birdc_command: str
    birdc_socket: str | None
    config_file: str
    include_file: str
    state_dir: str
    sudo: bool
    lock_wait: int

    def birdc_argv(self) -> list[str]:
        argv = [self.birdc_command]
        if self.birdc_socket:
            argv += ["-s", self.birdc_socket]
        return argv

    def _prologue(self) -> str:
        birdc = shlex.join(self.birdc_argv())
        return (
            shell.HEADER + f"STATE={shlex.quote(self.state_dir)}\n"
            f"CONF={shlex.quote(self.config_file)}\n"
            f"INCLUDE={shlex.quote(self.include_file)}\n"
            f"LOCK_WAIT={int(self.lock_wait)}\n"
            "token=${token:-none}\n"
            # birdc exits 1 when BIRD answers with an error (reply codes 8xxx, 9xxx);
            # its first line is a banner ("BIRD 2.0.12 ready.")
            # (birdc_run_ OPTION COMMAND; an empty OPTION expands to nothing)
            f'birdc_run_() {{ out_=$({birdc} $1 "$2" 2>&1); status_=$?; '
            "printf '%s\\n' \"$out_\" | sed '1{/^BIRD .* ready\\.$/d;}'; return $status_; }\n"
            'birdc_() { birdc_run_ "" "$1"; }\n'
            # birdc -r: BIRD's restricted mode, which refuses what changes the router
            'birdc_read_() { birdc_run_ -r "$1"; }\n' + _FUNCTIONS
        )

    @staticmethod
    def birdc_piece(command: str, read_only: bool = False) -> str:
        """A shell piece for `batch` that runs one birdc command (output without codes);
        `read_only`: in birdc's restricted mode (-r), where BIRD refuses any command that
        changes it (`down`, `configure`, `disable`...)."""
        return f"{'birdc_read_' if read_only else 'birdc_'} {shlex.quote(command)}"

    def check(self, token: str, kind: str) -> str:
        return self._sh(self._program(_CHECK), token, kind)

    def commit(self, token: str, kind: str, revert_in: int, message: str) -> str:
        """Reads the candidate on stdin, then checks and applies it (see _COMMIT)."""
        program = self._program(_COMMIT)
        return self._detached("commit", program, token, kind, str(revert_in), message, upload=True)
