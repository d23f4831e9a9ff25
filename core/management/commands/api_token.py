"""`manage.py api_token`: create, list and revoke API tokens from a shell, for automation
that has no browser (a provisioning script, a CI pipeline)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.models import Token

DURATION = re.compile(r"^(\d+)([hdw])$")
MAX_DURATION = timedelta(days=3650)
UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """ "12h", "30d" or "8w" as a timedelta; CommandError for anything else."""
    match = DURATION.match(text.strip())
    if not match or int(match[1]) == 0:
        raise CommandError(f"--expires-in {text!r}: give a number and h, d or w, e.g. 30d.")
    if len(match[1]) > 6 or timedelta(**{UNITS[match[2]]: int(match[1])}) > MAX_DURATION:
        raise CommandError(f"--expires-in {text!r}: at most 3650 days (leave it out: never).")
    return timedelta(**{UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = "Create, list or revoke a user's API tokens. A new token's key is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("--user", required=True, help="The token's user (username).")
        parser.add_argument("--description", default="")
        parser.add_argument("--read-only", action="store_true", help="May only read.")
        parser.add_argument("--expires-in", help="e.g. 12h, 30d, 8w (default: never).")
        parser.add_argument(
            "--prefix", help="revoke: the token's prefix, as `list` shows it, or its whole key."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = get_user_model().objects.get_by_natural_key(options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {options['user']!r}.") from None
        action = options["action"]
        if action == "create":
            expires = None
            if options["expires_in"]:
                expires = timezone.now() + parse_duration(options["expires_in"])
            _token, key = Token.issue(
                user,
                description=options["description"],
                write_enabled=not options["read_only"],
                expires=expires,
            )
            self.stdout.write(key)
        elif action == "list":
            for token in Token.objects.filter(user=user):
                access = "read-write" if token.write_enabled else "read-only"
                expires = token.expires.isoformat() if token.expires else "never"
                self.stdout.write(
                    f"{token.prefix}…  {access}  expires {expires}  {token.description}"
                )
        else:
            if not options["prefix"]:
                raise CommandError("revoke needs --prefix (as `list` shows it) or the whole key.")
            # The prefix `list` shows (10 characters), or the whole key.
            shown = options["prefix"].rstrip("…")
            matches = Token.objects.filter(user=user, prefix=shown[: Token.PREFIX_LENGTH])
            if len(shown) > Token.PREFIX_LENGTH:
                matches = matches.filter(digest=Token.digest_of(shown))
            matches = list(matches)
            if len(matches) != 1:
                raise CommandError(
                    f"{len(matches)} tokens of {user} have the prefix {shown!r}: give the whole "
                    "key to choose one."
                    if matches
                    else f"No token of {user} has the prefix {shown!r} (`api_token list`)."
                )
            matches[0].delete()
            self.stdout.write(f"Revoked {matches[0].prefix}….")
