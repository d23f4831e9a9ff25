from django.core.management.base import BaseCommand, CommandError

from configs.rendering import NoTemplate, RenderError, render_router_config
from devices.selection import UnknownRouters, select_routers


class Command(BaseCommand):
    help = "Print a router's rendered configuration."

    def add_arguments(self, parser) -> None:
        parser.add_argument("router", help="Router name or hostname.")

    def handle(self, *args, router: str, **options) -> None:
        try:
            matches = select_routers(router)
            target = next((r for r in matches if r.name == router), matches[0])
            self.stdout.write(render_router_config(target), ending="")
        except (UnknownRouters, NoTemplate, RenderError) as exc:
            raise CommandError(str(exc)) from None
