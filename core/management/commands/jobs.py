import json

from django.conf import settings
from django.core.management.base import CommandError

from changelog.retention import prune_changelog
from core.choices import JobOrigin, JobStatus
from core.commands import RouterCommand
from core.filtersets import JobFilterSet
from core.job_maintenance import prune_jobs, sweep_stale_jobs
from core.job_types import job_display, kind_choices
from core.jobs import cancel_job
from core.management.commands.job import find_job
from core.models import Job

HEADER = ("ID", "CREATED", "KIND", "TARGET", "STATUS", "ORIGIN", "BY", "DURATION", "OUTCOME")
# Each column's width, the last one (the outcome) as long as it is.
WIDTHS = (36, 19, 14, 12, 9, 8, 10, 8)


def _row(*cells: str) -> str:
    """One line of the list, columns two spaces apart."""
    padded = [cell.ljust(width) for cell, width in zip(cells, WIDTHS, strict=False)]
    return "  ".join([*padded, *cells[len(WIDTHS) :]]).rstrip()


def _short(text: str, width: int = 60) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


class Command(RouterCommand):
    help = (
        "List recent background jobs, newest first (filtered as the jobs page filters "
        "them); or cancel one, sweep abandoned ones, or prune old ones."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--status", choices=JobStatus.values, help="Only jobs in this state.")
        parser.add_argument(
            "--kind", choices=[kind for kind, _ in kind_choices()], help="Only jobs of this kind."
        )
        parser.add_argument(
            "--origin", choices=JobOrigin.values, help="Only jobs started through this door."
        )
        parser.add_argument("--target", help="Only jobs about this target (its name).")
        parser.add_argument("--router", help="Only jobs about this router (its name).")
        parser.add_argument(
            "--repeating",
            action="store_true",
            help="Only repeating jobs (a pending one is the next run; --cancel it to stop).",
        )
        parser.add_argument(
            "--count", type=int, default=50, help="How many jobs to list (default 50)."
        )
        parser.add_argument(
            "--cancel",
            metavar="ID",
            help="Cancel a pending job (so a repeating job stops), or stop a running one "
            "from repeating.",
        )
        parser.add_argument(
            "--sweep",
            action="store_true",
            help="Mark errored the running jobs whose worker is gone (workers do this too).",
        )
        parser.add_argument(
            "--prune",
            nargs="?",
            type=int,
            const=-1,
            metavar="DAYS",
            help="Delete finished jobs older than DAYS (default JOB_RETENTION_DAYS), and "
            "change-log entries older than CHANGELOG_RETENTION_DAYS.",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the jobs as JSON."
        )

    def handle(self, *args, **options) -> None:
        if options["cancel"]:
            try:
                self.stdout.write(cancel_job(find_job(options["cancel"].strip()), by="manage.py"))
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            return
        if options["sweep"] or options["prune"] is not None:
            self._maintain(options["sweep"], options["prune"])
            return
        if options["target"] and options["router"]:
            raise CommandError("Give --target or --router (the same filter), not both.")
        data = {
            "status": options["status"],
            "kind": options["kind"],
            "origin": options["origin"],
            "target": options["target"] or options["router"],
            "repeating": "true" if options["repeating"] else None,
        }
        queryset = Job.objects.select_related("user", "target_type")
        filterset = JobFilterSet({k: v for k, v in data.items() if v}, queryset=queryset)
        if not filterset.is_valid():
            raise CommandError(_errors(filterset))
        jobs = list(filterset.qs[: max(options["count"], 1)])
        if options["as_json"]:
            self.stdout.write(json.dumps([_summary(job) for job in jobs], indent=2))
            return
        if not jobs:
            self.stdout.write("No jobs.")
            return
        self.stdout.write(_row(*HEADER))
        for job in jobs:
            note = _short(job_display(job).summary)
            if job.repeat_every:
                note = f"[every {job.repeat_every} s] {note}".rstrip()
            duration = f"{job.duration_s:.1f} s" if job.duration_s is not None else "-"
            self.stdout.write(
                _row(
                    str(job.pk),
                    f"{job.created:%Y-%m-%d %H:%M:%S}",
                    job.kind,
                    job.target_name or "-",
                    job.status,
                    job.origin or "-",
                    job.requested_by or "-",
                    duration,
                    note,
                )
            )

    def _maintain(self, sweep: bool, prune_days: int | None) -> None:
        if sweep:
            self.stdout.write(f"{sweep_stale_jobs()} abandoned job(s) marked errored")
        if prune_days is not None:
            if prune_days < -1:
                raise CommandError("--prune takes a number of days, 0 or more.")
            pruned = prune_jobs(None if prune_days == -1 else prune_days)
            self.stdout.write(f"{pruned} old job(s) deleted")
            # The change log is kept by its own setting, whatever DAYS says of jobs.
            changes = prune_changelog()
            days = settings.CHANGELOG_RETENTION_DAYS
            kept = f"older than {days} days" if days else "none: CHANGELOG_RETENTION_DAYS is 0"
            self.stdout.write(f"{changes} change-log entries deleted ({kept})")


def _errors(filterset: JobFilterSet) -> str:
    return " ".join(
        f"--{name}: {' '.join(errors)}" for name, errors in filterset.form.errors.items()
    )


def _summary(job: Job) -> dict:
    target_type = job.target_type
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "target": job.target_name or None,
        "target_type": f"{target_type.app_label}.{target_type.model}" if target_type else None,
        # What `router` said before jobs had targets of any kind: a router target's name.
        "router": job.target_name if target_type and target_type.model == "router" else None,
        "user": job.user.get_username() if job.user else None,
        "origin": job.origin or None,
        "requested_by": job.requested_by or None,
        "summary": job_display(job).summary,
        "duration_s": job.duration_s,
        "status": job.status,
        "created": job.created.isoformat(),
        "started": job.started.isoformat() if job.started else None,
        "finished": job.finished.isoformat() if job.finished else None,
        "run_after": job.run_after.isoformat() if job.run_after else None,
        "repeat_every": job.repeat_every,
    }
