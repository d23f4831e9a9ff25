from django.core.management.base import CommandError

from configs.previews import render_one
from core.commands import RouterCommand
from devices.selection import RouterSelectionError, select_router


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
        try:
            target = select_router(router)
        except RouterSelectionError as exc:
            raise CommandError(str(exc)) from None
        result = render_one(target)
        if not result.ok or result.skipped:
            raise CommandError(result.error or result.skipped)
        self.stdout.write(result.text if reveal else result.masked, ending="")
