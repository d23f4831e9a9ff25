from django.core.management.base import CommandError

from core.commands import RouterCommand
from core.job_commands import enqueue_for_each
from core.job_records import record_jobs
from devices.selection import select_routers
from peering.jobs import PollJob
from peering.polling import poll_routers


class Command(RouterCommand):
    help = (
        "Read the state and prefix counts of every BGP session from the routers that have "
        "polling enabled, and store them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--limit", help="Comma-separated router names or hostnames; without it, every router."
        )
        parser.add_argument(
            "--tasks", action="store_true", help="Run one background job per router."
        )
        self.add_repeat_argument(parser)
        self.add_output_arguments(parser)

    def handle(
        self, *args, limit: str | None, tasks: bool, repeat_every: int | None, as_json: bool, **_
    ) -> None:
        routers = select_routers(limit)
        if tasks:
            self.print_batch(enqueue_for_each(PollJob, routers, None, repeat_every), as_json)
            return
        if repeat_every is not None:
            raise CommandError("--repeat-every repeats background jobs: add --tasks.")
        with record_jobs(PollJob, routers) as records:
            results = poll_routers(routers)
            records.finish(results)
        self.print_batch(results, as_json, jobs=records.job_ids)
