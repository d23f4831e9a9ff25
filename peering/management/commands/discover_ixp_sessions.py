from django.core.management.base import CommandError

from core.commands import RouterCommand
from core.job_records import record_jobs
from peering.discovery import discover_ixp_sessions
from peering.jobs import DiscoverJob
from peering.queries import find_ixp


class Command(RouterCommand):
    help = (
        "Create the IXP sessions that the IXP's routers already have: BGP neighbours inside "
        "each connection's subnets that the inventory lacks."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("ixp", help="The Internet exchange's slug or name.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be created; change nothing."
        )
        self.add_output_arguments(parser)

    def handle(self, *args, ixp: str, dry_run: bool, as_json: bool, **options) -> None:
        exchange = find_ixp(ixp)
        if exchange is None:
            raise CommandError(f"Unknown Internet exchange: {ixp}.")
        # One job about the IXP, as its page starts: the batch of its connections.
        with record_jobs(DiscoverJob, [exchange], {"dry_run": dry_run}) as records:
            results = discover_ixp_sessions(exchange, dry_run=dry_run)
            records.finish([results])
        self.print_batch(results, as_json, job=records.job_ids[0])
