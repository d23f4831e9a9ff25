import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from peering.demo import load_demo

RESET_PASSWORD = ".venv/bin/python manage.py changepassword admin"


class Command(BaseCommand):
    help = "Load the demo inventory that matches the lab's routers (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--lab-instance", type=int, default=0, help="Lab instance whose r1 to use."
        )
        parser.add_argument(
            "--admin",
            action="store_true",
            help=(
                "Also create the demo superuser 'admin' and print its password, once; "
                "an existing admin keeps its password."
            ),
        )

    def handle(self, *args, lab_instance: int, admin: bool, **options) -> None:
        result = load_demo(instance=lab_instance)
        for line in result.created:
            self.stdout.write(f"created {line}")
        for line in result.changed:
            self.stdout.write(f"changed {line}")
        if not result.created and not result.changed:
            self.stdout.write("The demo inventory is already loaded; nothing to create.")
        if admin:
            self._admin()

    def _admin(self) -> None:
        """Create the admin with a random password, printed this once. Never replace a
        password: whoever is logged in with it (another demo, a browser) keeps working."""
        user, created = get_user_model().objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if not created and user.has_usable_password():
            self.stdout.write(
                f"The admin password is unchanged (shown when it was created); "
                f"to reset it: {RESET_PASSWORD}"
            )
            return
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Log in as admin with password {password} (shown only now; "
                f"to reset it: {RESET_PASSWORD})"
            )
        )
