import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from core.commands import RouterCommand
from core.models import Job

PREFIX_MIN = 6


def find_job(reference: str) -> Job:
    """A job by its id, or by a unique beginning of it (as `manage.py jobs` prints them)."""
    jobs = Job.objects.select_related("user", "target_type")
    try:
        return jobs.get(pk=reference)
    except (Job.DoesNotExist, ValidationError):
        pass
    matches = (
        list(jobs.filter(pk__startswith=reference)[:2]) if len(reference) >= PREFIX_MIN else []
    )
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CommandError(f"Several jobs start with {reference}; give more of the id.")
    if len(reference) < PREFIX_MIN:
        raise CommandError(f"No job {reference}: give the id or its first {PREFIX_MIN} characters.")
    raise CommandError(f"No job {reference}.")


class Command(RouterCommand):
    help = "Show one background job: its state, its log and its output."

    def add_arguments(self, parser) -> None:
        parser.add_argument("id", help="The job's id (or its first characters).")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the job as JSON."
        )

    def handle(self, *args, id: str, as_json: bool, **options) -> None:
        job = find_job(id.strip())
        if as_json:
            self.stdout.write(json.dumps(_as_dict(job), indent=2, default=str))
            return
        for label, value in _fields(job):
            self.stdout.write(f"{label + ':':<10} {value}")
        self.stdout.write("\nLog:")
        for entry in job.log:
            self.stdout.write(f"  {entry['at']}  {entry['level']:<7}  {entry['message']}")
        if job.error:
            self.stdout.write("\nError:")
            self.stdout.write(job.error.rstrip("\n"))
        if job.output:
            self.stdout.write("\nOutput:")
            self.stdout.write(job.output.rstrip("\n"))


def _target(job: Job) -> str:
    """`r1 (router)`, `r1 (router, deleted)`, or `-` for a job about nothing."""
    if not job.target_name and job.target_type_id is None:
        return "-"
    noun = job.target_noun or "target"
    deleted = ", deleted" if job.target is None else ""
    return f"{job.target_name or '?'} ({noun}{deleted})"


def _repeats(job: Job) -> str:
    """`every 3600 s; next run 1f2e... (pending)`, or `-`."""
    parts = [f"every {job.repeat_every} s"] if job.repeat_every else []
    if job.repeat_of_id:
        parts.append(f"the run after {job.repeat_of_id}")
    parts += [f"next run {run.pk} ({run.status})" for run in job.next_runs.all()]
    return "; ".join(parts) or "-"


def _fields(job: Job) -> list[tuple[str, str]]:
    duration = f" ({job.duration_s} s)" if job.duration_s is not None else ""
    worker = f"{job.worker_host} process {job.worker_pid}" if job.worker_pid else "-"
    return [
        ("Job", str(job.pk)),
        ("Kind", job.kind_label),
        ("Target", _target(job)),
        ("User", job.user.get_username() if job.user else "-"),
        ("Status", job.status),
        ("Created", f"{job.created:%Y-%m-%d %H:%M:%S %Z}"),
        ("Started", f"{job.started:%Y-%m-%d %H:%M:%S %Z}" if job.started else "-"),
        ("Finished", f"{job.finished:%Y-%m-%d %H:%M:%S %Z}{duration}" if job.finished else "-"),
        ("Worker", worker),
        ("Arguments", json.dumps(job.arguments) if job.arguments else "-"),
        ("Run after", f"{job.run_after:%Y-%m-%d %H:%M:%S %Z}" if job.run_after else "-"),
        ("Repeats", _repeats(job)),
    ]


def _as_dict(job: Job) -> dict:
    target_type = job.target_type
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "target": job.target_name or None,
        "target_type": f"{target_type.app_label}.{target_type.model}" if target_type else None,
        # What `router` said before jobs had targets of any kind: a router target's name.
        "router": job.target_name if target_type and target_type.model == "router" else None,
        "user": job.user.get_username() if job.user else None,
        "status": job.status,
        "created": job.created,
        "started": job.started,
        "finished": job.finished,
        "worker_host": job.worker_host,
        "worker_pid": job.worker_pid,
        "arguments": job.arguments,
        "run_after": job.run_after,
        "repeat_every": job.repeat_every,
        "repeat_of": str(job.repeat_of_id) if job.repeat_of_id else None,
        "next_runs": [str(run.pk) for run in job.next_runs.all()],
        "log": job.log,
        "output": job.output,
        "result": job.result,
        "error": job.error,
    }
