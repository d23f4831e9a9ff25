#!/usr/bin/env python
"""Peerkeeper's command line: `python manage.py <command>`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerkeeper.settings")
    from peerkeeper.config import ConfigurationError

    try:
        import peerkeeper.settings  # noqa: F401 - validates the configuration up front
    except ConfigurationError as exc:
        sys.exit(f"Configuration error: {exc}")

    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        # The usual cause is a database server that is down or a wrong DATABASE_URL.
        sys.exit(f"Database error: {str(exc).strip().splitlines()[0]}")


if __name__ == "__main__":
    main()
