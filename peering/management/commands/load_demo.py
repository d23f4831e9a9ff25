import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from peering.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo inventory that matches the lab's routers (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--lab-instance", type=int, default=0, help="Lab instance whose r1 to use."
        )
        parser.add_argument(
            "--admin",
            action="store_true",
            help="Also (re)set the password of the demo superuser 'admin' and print it.",
        )

    def handle(self, *args, lab_instance: int, admin: bool, **options) -> None:
        result = load_demo(instance=lab_instance)
        for line in result.created:
            self.stdout.write(f"created {line}")
        if not result.created:
            self.stdout.write("The demo inventory is already loaded; nothing to create.")
        if admin:
            password = secrets.token_urlsafe(12)
            user, _ = get_user_model().objects.get_or_create(
                username="admin", defaults={"is_staff": True, "is_superuser": True}
            )
            user.set_password(password)
            user.save()
            self.stdout.write(self.style.SUCCESS(f"Log in as admin with password {password}"))
