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
        self.add_output_arguments(parser)

    def handle(self, *args, limit: str | None, as_json: bool, **options) -> None:
        try:
            routers = select_routers(limit)
        except RouterSelectionError as exc:
            raise CommandError(str(exc)) from None
        self.print_batch(ping_routers(routers), as_json)
