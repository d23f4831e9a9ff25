"""Which routers a command works on: all of them, or those named by `--limit`."""

from django.db.models import Q, QuerySet

from devices.models import Router


class UnknownRouters(ValueError):
    pass


def parse_limit(limit: str | None) -> list[str]:
    return [name.strip() for name in (limit or "").split(",") if name.strip()]


def select_routers(limit: str | None, queryset: QuerySet[Router] | None = None) -> list[Router]:
    """Routers named (by name or hostname) in a comma-separated `limit`; all when it is empty.

    An unknown name is an error naming it, so a typo never silently processes nothing.
    """
    queryset = (queryset if queryset is not None else Router.objects.all()).select_related(
        "platform", "local_autonomous_system", "config_template"
    )
    names = parse_limit(limit)
    if not names:
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
