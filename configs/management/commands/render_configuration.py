from django.core.management.base import CommandError
from django.db.models import Q

from configs.rendering import NoTemplate, RenderError, render_router
from core.commands import RouterCommand
from devices.models import Router
from devices.selection import select_routers


def _router(text: str) -> Router:
    """The one router `text` names: by name, else by hostname. Not a `--limit` list: a
    router's name may hold a comma, and an empty name is no request for every router."""
    name = text.strip()
    if not name:
        raise CommandError(
            f"“{text}” names no router: give the name or hostname of the router to render."
        )
    matches = select_routers(None, Router.objects.filter(Q(name=name) | Q(hostname=name)))
    by_name = [router for router in matches if router.name == name]
    if by_name:
        return by_name[0]
    if len(matches) > 1:
        names = ", ".join(sorted(router.name for router in matches))
        raise CommandError(
            f"Several routers have the hostname {name} ({names}): give the router's name."
        )
    if not matches:
        raise CommandError(f"Unknown router: {name} (no router has that name or hostname).")
    return matches[0]


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
        target = _router(router)
        try:
            rendered = render_router(target)
            self.stdout.write(rendered.text if reveal else rendered.masked, ending="")
        except (NoTemplate, RenderError) as exc:
            raise CommandError(str(exc)) from None
