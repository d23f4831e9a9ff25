import json

from django.core.management.base import CommandError
from django.db.models import Q

from core.commands import RouterCommand
from peering.discovery import discover_ixp_sessions, report_lines
from peering.models import InternetExchange


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
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the report as JSON."
        )

    def handle(self, *args, ixp: str, dry_run: bool, as_json: bool, **options) -> None:
        exchange = InternetExchange.objects.filter(Q(slug=ixp) | Q(name=ixp)).first()
        if exchange is None:
            raise CommandError(f"Unknown Internet exchange: {ixp}.")
        reports = discover_ixp_sessions(exchange, dry_run=dry_run)
        if as_json:
            self.stdout.write(json.dumps([r.as_dict() for r in reports], indent=2))
        elif reports:
            self.stdout.write("\n".join(report_lines(reports, dry_run)))
        else:
            self.stdout.write(f"{exchange} has no connections.")
        if any(not r.ok for r in reports):
            raise CommandError("Some connections could not be discovered.", returncode=1)
