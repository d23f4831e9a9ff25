from django.core.management.base import CommandError

from configs.previews import render_one
from core.commands import RouterCommand
from devices.selection import select_router


class Command(RouterCommand):
    help = (
        "Print a router's rendered configuration, with session passwords masked "
        "(--reveal prints them)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("router", help="Router name or hostname.")
        parser.add_argument(
            "--reveal",
            action="store_true",
            help="Print the configuration as the router gets it, passwords included.",
        )

    def handle(self, *args, router: str, reveal: bool, **options) -> None:
        result = render_one(select_router(router))
        if not result.ok or result.skipped:
            raise CommandError(result.error or result.skipped)
        self.stdout.write(result.text if reveal else result.masked, ending="")
