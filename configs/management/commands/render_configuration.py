from django.core.management.base import BaseCommand, CommandError

from configs.rendering import NoTemplate, RenderError, render_router
from devices.selection import RouterSelectionError, select_routers


class Command(BaseCommand):
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
            matches = select_routers(router)
            target = next((r for r in matches if r.name == router), matches[0])
            rendered = render_router(target)
            self.stdout.write(rendered.text if reveal else rendered.masked, ending="")
        except (RouterSelectionError, NoTemplate, RenderError) as exc:
            raise CommandError(str(exc)) from None
