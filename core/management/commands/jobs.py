import json

from django.core.management.base import CommandError
from django.db.models import Q

from core.choices import JobKind, JobStatus
from core.commands import RouterCommand
from core.job_maintenance import prune_jobs, sweep_stale_jobs
from core.models import Job


def _short(text: str, width: int = 60) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


class Command(RouterCommand):
    help = "List recent background jobs, newest first; or sweep abandoned ones, or prune old ones."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--status", choices=JobStatus.values, help="Only jobs in this state.")
        parser.add_argument("--kind", choices=JobKind.values, help="Only jobs of this kind.")
        parser.add_argument("--router", help="Only jobs on this router (name or hostname).")
        parser.add_argument(
            "--count", type=int, default=50, help="How many jobs to list (default 50)."
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
            help="Delete finished jobs older than DAYS (default JOB_RETENTION_DAYS).",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the jobs as JSON."
        )

    def handle(self, *args, **options) -> None:
        if options["sweep"] or options["prune"] is not None:
            self._maintain(options["sweep"], options["prune"])
            return
        jobs = Job.objects.select_related("router", "user")
        if options["status"]:
            jobs = jobs.filter(status=options["status"])
        if options["kind"]:
            jobs = jobs.filter(kind=options["kind"])
        if options["router"]:
            name = options["router"]
            jobs = jobs.filter(Q(router__name=name) | Q(router__hostname=name))
        jobs = list(jobs[: max(options["count"], 1)])
        if options["as_json"]:
            self.stdout.write(json.dumps([_summary(job) for job in jobs], indent=2))
            return
        for job in jobs:
            router = job.router.name if job.router else "-"
            note = _short(job.error) if job.error else _short(job.output)
            self.stdout.write(
                f"{job.pk}  {job.created:%Y-%m-%d %H:%M:%S}  {job.kind:<14}  {router:<12}  "
                f"{job.status:<9}  {note}".rstrip()
            )
        if not jobs:
            self.stdout.write("No jobs.")

    def _maintain(self, sweep: bool, prune_days: int | None) -> None:
        if sweep:
            self.stdout.write(f"{sweep_stale_jobs()} abandoned job(s) marked errored")
        if prune_days is not None:
            if prune_days < -1:
                raise CommandError("--prune takes a number of days, 0 or more.")
            pruned = prune_jobs(None if prune_days == -1 else prune_days)
            self.stdout.write(f"{pruned} old job(s) deleted")


def _summary(job: Job) -> dict:
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "router": job.router.name if job.router else None,
        "user": job.user.get_username() if job.user else None,
        "status": job.status,
        "created": job.created.isoformat(),
        "started": job.started.isoformat() if job.started else None,
        "finished": job.finished.isoformat() if job.finished else None,
    }
