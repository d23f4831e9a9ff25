from django.core.management.base import BaseCommand, CommandError

from core.key_rotation import rotate_secrets


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored password with the first key of CREDENTIALS_ENCRYPTION_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then drop the old keys."
    )

    def handle(self, *args, **options) -> None:
        result = rotate_secrets()
        if not result.ok:
            details = "; ".join(
                f"{label} of ids {', '.join(map(str, pks))}"
                for label, pks in result.undecryptable.items()
            )
            raise CommandError(
                "Nothing was changed: some secrets cannot be decrypted with any configured key "
                f"({details}). Add the key they were encrypted with to "
                "CREDENTIALS_ENCRYPTION_KEYS and run this again."
            )
        for label, count in result.rotated.items():
            self.stdout.write(f"{label}: {count} re-encrypted")
        self.stdout.write(self.style.SUCCESS("All secrets now use the first key."))
