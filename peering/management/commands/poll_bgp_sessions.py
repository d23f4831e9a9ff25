import json

from django.core.management.base import CommandError

from core.choices import JobKind
from core.commands import RouterCommand
from core.job_commands import enqueue_per_router
from devices.selection import RouterSelectionError, select_routers
from peering.polling import poll_routers, poll_skip_reason


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
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the results as JSON."
        )

    def handle(self, *args, limit: str | None, tasks: bool, as_json: bool, **options) -> None:
        try:
            routers = select_routers(limit)
        except RouterSelectionError as exc:
            raise CommandError(str(exc)) from None
        if tasks:
            if not enqueue_per_router(
                self.stdout, routers, JobKind.POLL, poll_skip_reason, as_json=as_json
            ):
                raise CommandError("Some jobs could not be queued.", returncode=1)
            return
        results = poll_routers(routers)
        if as_json:
            self.stdout.write(json.dumps([r.as_dict() for r in results], indent=2))
        else:
            for result in results:
                self.stdout.write(result.summary)
            polled = sum(r.ok and not r.skipped for r in results)
            failed = sum(not r.ok for r in results)
            skipped = sum(bool(r.skipped) for r in results)
            self.stdout.write(
                f"{len(results)} routers: {polled} polled, {failed} failed, {skipped} skipped"
            )
        if any(not r.ok for r in results):
            raise CommandError("Some routers could not be polled.", returncode=1)
