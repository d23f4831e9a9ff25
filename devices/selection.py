"""Which routers a command works on: all of them, or those named by `--limit`."""

from django.db.models import Q, QuerySet

from core.operations import InputError
from devices.models import Router


class RouterSelectionError(InputError):
    """A list of routers that cannot be what the user meant; nothing is done."""


class EmptyRouterList(RouterSelectionError):
    pass


class UnknownRouters(RouterSelectionError):
    pass


def parse_limit(limit: str | None) -> list[str] | None:
    """The names in a comma-separated list; None (every router) only when there is no list.

    A list that names nothing (`""`, `","`, `" "`) is an error rather than "every router":
    an empty variable in a cron line must not push to the whole network.
    """
    if limit is None:
        return None
    names = [name.strip() for name in limit.split(",") if name.strip()]
    if not names:
        raise EmptyRouterList(
            f"“{limit}” names no router: give router names or hostnames separated by commas "
            "(every router is selected only when no list is given)."
        )
    return names


def select_routers(limit: str | None, queryset: QuerySet[Router] | None = None) -> list[Router]:
    """Routers named (by name or hostname) in a comma-separated `limit`; all when it is None.

    An unknown name is an error naming it, so a typo never silently processes nothing.
    """
    queryset = (queryset if queryset is not None else Router.objects.all()).select_related(
        "platform", "local_autonomous_system", "config_template"
    )
    names = parse_limit(limit)
    if names is None:
        return list(queryset)
    routers = list(queryset.filter(Q(name__in=names) | Q(hostname__in=names)))
    known = {router.name for router in routers} | {router.hostname for router in routers}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UnknownRouters(
            f"Unknown router{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} "
            "(no router has that name or hostname)."
        )
    return routers


def select_router(text: str) -> Router:
    """The one router `text` names: by name, else by hostname. Not a `--limit` list: a
    router's name may hold a comma, and an empty name is no request for every router.
    RouterSelectionError when it names none, or a hostname several routers share."""
    name = text.strip()
    if not name:
        raise EmptyRouterList(f"“{text}” names no router: give a router's name or hostname.")
    matches = select_routers(None, Router.objects.filter(Q(name=name) | Q(hostname=name)))
    by_name = [router for router in matches if router.name == name]
    if by_name:
        return by_name[0]
    if len(matches) > 1:
        names = ", ".join(sorted(router.name for router in matches))
        raise RouterSelectionError(
            f"Several routers have the hostname {name} ({names}): give the router's name."
        )
    if not matches:
        raise UnknownRouters(f"Unknown router: {name} (no router has that name or hostname).")
    return matches[0]
