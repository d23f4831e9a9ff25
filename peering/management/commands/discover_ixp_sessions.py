import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from peering.discovery import discover_ixp_sessions
from peering.models import InternetExchange


class Command(BaseCommand):
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
        else:
            verb = "would create" if dry_run else "created"
            for report in reports:
                if not report.ok:
                    self.stdout.write(f"{report.connection}: failed: {report.error}")
                    continue
                self.stdout.write(
                    f"{report.connection}: {len(report.created)} {verb}, "
                    f"{len(report.known)} already known, {len(report.ignored)} ignored"
                )
                for found in report.created:
                    self.stdout.write(f"  {verb} {found.address} AS{found.asn}")
                for found in report.ignored:
                    self.stdout.write(f"  ignored {found.address}: {found.why}")
            if not reports:
                self.stdout.write(f"{exchange} has no connections.")
        if any(not r.ok for r in reports):
            raise CommandError("Some routers could not be read.", returncode=1)
