import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from core.job_maintenance import MAINTENANCE_INTERVAL, run_maintenance


class Command(BaseCommand):
    help = (
        "Run a worker for background jobs with the configured TASKS_BACKEND (database: "
        "django-tasks-db; rq: an RQ worker on REDIS_URL). Run as many as you like, on any "
        "machine that shares the database (and Redis). Also marks abandoned jobs errored "
        "and prunes old ones (and old change-log entries), at start and every minute."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--burst", action="store_true", help="Run the jobs already queued, then exit."
        )

    def handle(self, *args, burst: bool, verbosity: int, **options) -> None:
        # An unreachable database stops the worker at once with manage.py's one sentence.
        connections["default"].ensure_connection()
        report = run_maintenance()
        if report.swept or report.pruned or report.changes_pruned:
            self.stdout.write(
                f"{report.swept} abandoned job(s) marked errored, {report.pruned} old job(s) "
                f"pruned, {report.changes_pruned} old change-log entries pruned"
            )
        connections.close_all()
        queue = settings.JOB_QUEUE
        if settings.TASKS_BACKEND == "rq":
            # With its scheduler, so that a job queued to run later (the next run of a
            # repeating job) reaches the queue on time: RQ keeps such jobs in a registry
            # that only a worker's scheduler (one per queue, whichever worker holds its
            # lock) moves to the queue.
            call_command(
                "rqworker",
                queue,
                worker_class="core.rq_worker.JobWorker",
                job_class="django_tasks_rq.Job",
                burst=burst,
                with_scheduler=True,
                verbosity=verbosity,
            )
            return
        stop = threading.Event()
        threading.Thread(
            target=_maintain, args=(stop,), name="job-maintenance", daemon=True
        ).start()
        try:
            call_command(
                "db_worker",
                queue_name=queue,
                batch=burst,
                reload=False,
                startup_delay=False,
                verbosity=verbosity,
            )
        finally:
            stop.set()


def _maintain(stop: threading.Event) -> None:
    """The database worker's periodic maintenance (RQ's runs in its own maintenance)."""
    while not stop.wait(MAINTENANCE_INTERVAL):
        run_maintenance()
        connections.close_all()  # this thread's connection only
