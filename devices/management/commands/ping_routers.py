import json

from django.core.management.base import CommandError

from core.commands import RouterCommand
from devices.connectivity import ping_routers
from devices.selection import RouterSelectionError, select_routers


class Command(RouterCommand):
    help = (
        "Check that each router accepts a NAPALM connection with its driver's own protocol "
        "(SSH, HTTP, NETCONF...); this is not an ICMP ping."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--limit", help="Comma-separated router names or hostnames; without it, every router."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the results as JSON."
        )

    def handle(self, *args, limit: str | None, as_json: bool, **options) -> None:
        try:
            routers = select_routers(limit)
        except RouterSelectionError as exc:
            raise CommandError(str(exc)) from None
        results = ping_routers(routers)
        if as_json:
            self.stdout.write(json.dumps([r.as_dict() for r in results], indent=2))
        else:
            for result in results:
                self.stdout.write(result.summary)
            failed = sum(not r.ok for r in results)
            skipped = sum(bool(r.skipped) for r in results)
            reachable = len(results) - failed - skipped
            self.stdout.write(f"{reachable} reachable, {failed} failed, {skipped} skipped")
        if any(not r.ok for r in results):
            raise CommandError("Some routers could not be reached.", returncode=1)
