import json

from django.conf import settings
from django.core.management.base import CommandError

from changelog import display
from changelog.context import Origin
from changelog.filtersets import ChangeFilterSet, type_choices
from changelog.queries import changes
from changelog.retention import prune_changelog
from core.commands import RouterCommand

ACTIONS = {verb: action for action, verb in display.ACTION_VERBS.items()}

# A hundred years: further back than any entry, and a date Python can compute.
MAX_DAYS = 36_500


class Command(RouterCommand):
    help = (
        "List recent changes of the inventory, newest first (filtered as the change log's "
        "page filters them); or delete the entries older than CHANGELOG_RETENTION_DAYS."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--type",
            choices=[value for value, _ in type_choices()],
            help="Only changes of this kind of object.",
        )
        parser.add_argument("--action", choices=list(ACTIONS), help="Only this action.")
        parser.add_argument("--who", help="Only changes by this user (or OS user, for commands).")
        parser.add_argument("--origin", choices=Origin.values, help="Only changes made this way.")
        parser.add_argument("--search", help="Only objects whose name contains this.")
        parser.add_argument(
            "--count", type=int, default=50, help="How many changes to list (default 50)."
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the changes as JSON."
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Delete the entries older than CHANGELOG_RETENTION_DAYS (workers do it too).",
        )
        parser.add_argument(
            "--days",
            type=int,
            help="With --prune: delete the entries older than this many days instead.",
        )

    def handle(self, *args, **options) -> None:
        if options["prune"]:
            self._prune(options["days"])
            return
        if options["days"] is not None:
            raise CommandError("--days goes with --prune.")
        data = {
            "type": options["type"],
            "action": str(ACTIONS[options["action"]]) if options["action"] else None,
            "actor": options["who"],
            "origin": options["origin"],
            "q": options["search"],
        }
        filterset = ChangeFilterSet(
            {k: v for k, v in data.items() if v is not None}, queryset=changes()
        )
        if not filterset.is_valid():
            raise CommandError(
                " ".join(
                    f"--{name}: {' '.join(errors)}"
                    for name, errors in filterset.form.errors.items()
                )
            )
        entries = list(filterset.qs[: max(options["count"], 1)])
        if options["as_json"]:
            self.stdout.write(json.dumps([display.as_dict(entry) for entry in entries], indent=2))
            return
        for entry in entries:
            fields = "; ".join(
                f"{c.label}: {c.old_short or '—'} → {c.new_short or '—'}"
                for c in display.shown_changes(entry)
            )
            self.stdout.write(
                f"{entry.timestamp:%Y-%m-%d %H:%M:%S}  {display.actor(entry) or '-':<12}  "
                f"{display.origin(entry) or '-':<7}  {display.title(entry)}: {fields}"
            )
        if not entries:
            self.stdout.write("No changes.")

    def _prune(self, days: int | None) -> None:
        if days is not None and not 0 <= days <= MAX_DAYS:
            raise CommandError(f"--days takes a number of days from 0 to {MAX_DAYS:,}.")
        days = settings.CHANGELOG_RETENTION_DAYS if days is None else days
        deleted = prune_changelog(days)
        if days == 0:
            self.stdout.write("0 entries deleted: 0 days keeps everything.")
        else:
            self.stdout.write(f"{deleted} change-log entries older than {days} days deleted")
