"""`manage.py demo`: what `make demo` runs.

Checks its lab instance, database and address before changing anything (and holds the
first two for as long as it runs), then migrates, starts the lab (unless a `python -m lab
up` of this checkout already runs it), loads the demo inventory, polls r1 once (once its
sessions are up, peering.demo.first_poll) and serves the web pages
with one job worker until Ctrl-C, SIGTERM or SIGHUP.
On the way out it stops the worker and the server, and takes down the lab only if it
started that lab itself.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from types import FrameType

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from lab.instance import Lab
from lab.processes import ProcessRecord
from peering.demo import first_poll
from peering.demo_preflight import Address, DemoRefused, preflight

CHILD_STOP_TIMEOUT = 10.0
# Each stops the demo. SIGINT too is handled explicitly: a demo started with SIGINT
# ignored (in the background from a script, by nohup, by some CI runners) inherits
# that, and so would its worker and server; with a handler of its own, the children
# it starts get the default back and Ctrl-C (SIGINT to the process group) stops them all.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Run the demo: the lab, the demo inventory, a job worker and the web server "
        "(Ctrl-C stops them)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--lab-instance", type=int, default=0, choices=range(10))
        parser.add_argument("--address", default="127.0.0.1:8000", help="HOST:PORT to serve")

    def handle(self, *args, lab_instance: int, address: str, **options) -> None:
        try:
            where = Address.parse(address)
            claims = preflight(lab_instance, where)
        except DemoRefused as refusal:
            self.stderr.write(str(refusal))
            sys.exit(1)
        for signum in STOP_SIGNALS:
            signal.signal(signum, _interrupt)
        self._lab_up_started: ProcessRecord | None = None  # the `lab up` this demo ran
        lab_started: ProcessRecord | None = None
        children: list[subprocess.Popen[bytes]] = []
        code = 0
        try:
            call_command("migrate", interactive=False)  # its "Applying ... OK" lines as they are
            claims.claim_created_file(lab_instance, where)
            lab_started = self._lab_up(lab_instance)
            call_command("load_demo", admin=True, lab_instance=lab_instance, stdout=self.stdout)
            # The pages open with the sessions' real state, not "unknown" (one line).
            self.stdout.write(first_poll(lab_instance))
            self.stdout.write(
                f"Serving Peerkeeper on http://{where}/ with one job worker (Ctrl-C to stop)"
            )
            self.stdout.flush()
            manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
            children.append(subprocess.Popen([*manage, "worker"]))
            server = subprocess.Popen([*manage, "runserver", "--noreload", str(where)])
            children.append(server)
            code = server.wait()
        except KeyboardInterrupt:
            code = 0
        except DemoRefused as refusal:  # its new SQLite file: another demo took it
            self.stderr.write(str(refusal))
            code = 1
        finally:
            # The way out runs to its end: a second Ctrl-C must not leave a server, a
            # worker or the lab behind (each step below is bounded in time).
            for signum in STOP_SIGNALS:
                signal.signal(signum, signal.SIG_IGN)
            for child in reversed(children):
                _stop(child)
            lab_started = lab_started or self._lab_started_by_this_demo(lab_instance)
            if lab_started is not None:
                self._lab_down(lab_instance, lab_started)
            claims.release()
        if code:
            sys.exit(code)

    def _lab_up(self, instance: int) -> ProcessRecord | None:
        """Start the lab; returns its supervisor when this demo started it (and so owns
        it), None when it was up already or could not start."""
        lab = Lab(instance)
        owner = lab.state.owner()
        if owner is not None and owner.kind == "supervisor" and lab.state.is_ours(owner):
            self.stdout.write(
                f"Lab instance {instance} is already up (supervisor PID {owner.pid}); "
                "the demo uses it and leaves it running."
            )
            return None
        if owner is not None:  # it started since the preflight
            self.stdout.write(f"Not starting the lab: {lab.state.refusal(owner)}.")
            return None
        self.stdout.flush()
        up = subprocess.Popen([sys.executable, "-m", "lab", "up", "--instance", str(instance)])
        self._lab_up_started = ProcessRecord.of(up.pid)
        try:
            code = up.wait()
        except KeyboardInterrupt:
            # Interrupted, `lab up` stops the lab it was starting. A Ctrl-C reached it as
            # well; a signal sent to this command alone did not, so pass it on.
            try:
                up.wait(1)
            except subprocess.TimeoutExpired:
                up.send_signal(signal.SIGINT)
                up.wait()
            raise
        if code != 0:
            self.stdout.write(
                "Continuing without the lab: the pages work, the router buttons report the failure."
            )
            return None
        owner = Lab(instance).state.owner()
        return owner.record if owner is not None else None

    def _lab_started_by_this_demo(self, instance: int) -> ProcessRecord | None:
        """The lab's supervisor if the `lab up` this demo ran started it, also when the
        demo was stopped before it could note that: a supervisor of this state directory
        that started after that `lab up` did."""
        launched = self._lab_up_started
        if launched is None:
            return None
        lab = Lab(instance)
        owner = lab.state.owner()
        if owner is None or owner.kind != "supervisor" or not lab.state.is_ours(owner):
            return None
        return owner.record if owner.record.started >= launched.started else None

    def _lab_down(self, instance: int, started: ProcessRecord) -> None:
        owner = Lab(instance).state.owner()
        if owner is None or owner.record != started:
            return  # gone already, or someone else's by now
        # Its own session: a Ctrl-C meant for the demo does not cut the tear-down short.
        subprocess.run(
            [sys.executable, "-m", "lab", "down", "--instance", str(instance)],
            start_new_session=True,
            check=False,
        )


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
    try:
        child.wait(CHILD_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
