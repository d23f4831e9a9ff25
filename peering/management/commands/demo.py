"""`manage.py demo`: what `make demo` runs.

Checks its lab instance and address before changing anything, then migrates, starts
the lab (unless a `python -m lab up` already runs it), loads the demo inventory and
serves the web pages with one job worker until Ctrl-C. On the way out it stops the
worker and the server, and takes down the lab only if it started that lab itself.
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
from peering.demo_preflight import Address, DemoRefused, preflight

CHILD_STOP_TIMEOUT = 10.0


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
            lock = preflight(lab_instance, where)
        except DemoRefused as refusal:
            self.stderr.write(str(refusal))
            sys.exit(1)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _interrupt)
        lab_started: ProcessRecord | None = None
        children: list[subprocess.Popen[bytes]] = []
        try:
            call_command("migrate", interactive=False, stdout=self.stdout)
            lab_started = self._lab_up(lab_instance)
            call_command("load_demo", admin=True, lab_instance=lab_instance, stdout=self.stdout)
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
        finally:
            for child in reversed(children):
                _stop(child)
            if lab_started is not None:
                self._lab_down(lab_instance, lab_started)
            lock.release()
        if code:
            sys.exit(code)

    def _lab_up(self, instance: int) -> ProcessRecord | None:
        """Start the lab; returns its supervisor when this demo started it (and so owns
        it), None when it was up already or could not start."""
        owner = Lab(instance).state.owner()
        if owner is not None:  # preflight let only a `python -m lab up` through
            self.stdout.write(
                f"Lab instance {instance} is already up (supervisor PID {owner.pid}); "
                "the demo uses it and leaves it running."
            )
            return None
        self.stdout.flush()
        up = subprocess.Popen([sys.executable, "-m", "lab", "up", "--instance", str(instance)])
        try:
            code = up.wait()
        except KeyboardInterrupt:
            # Interrupted, `lab up` stops the lab it was starting. A Ctrl-C reached it as
            # well; a SIGTERM sent to this command alone did not, so pass it on.
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

    def _lab_down(self, instance: int, started: ProcessRecord) -> None:
        owner = Lab(instance).state.owner()
        if owner is None or owner.record != started:
            return  # gone already, or someone else's by now
        subprocess.run([sys.executable, "-m", "lab", "down", "--instance", str(instance)])


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
    try:
        child.wait(CHILD_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
