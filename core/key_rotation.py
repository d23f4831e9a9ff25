"""Re-encrypt every stored secret with the current (first) encryption key."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction

from core import crypto
from core.fields import EncryptedTextField
from core.secrets import Secret


@dataclass
class RotationResult:
    rotated: dict[str, int] = field(default_factory=dict)  # "app.Model.field" -> count
    undecryptable: dict[str, list[object]] = field(default_factory=dict)  # -> primary keys

    @property
    def ok(self) -> bool:
        return not self.undecryptable


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    return [
        (model, f)
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if isinstance(f, EncryptedTextField)
    ]


def rotate_secrets(batch_size: int = 500) -> RotationResult:
    """Rotate all secrets in one transaction; if any cannot be decrypted, change nothing."""
    result = RotationResult()
    with transaction.atomic():
        for model, secret_field in encrypted_fields():
            label = f"{model._meta.label}.{secret_field.name}"
            rows = model.objects.exclude(**{f"{secret_field.attname}__isnull": True}).only(
                "pk", secret_field.attname
            )
            changed: list[models.Model] = []
            for row in rows.iterator(chunk_size=batch_size):
                secret: Secret = getattr(row, secret_field.attname)
                try:
                    setattr(row, secret_field.attname, Secret(crypto.rotate(secret.token)))
                except crypto.SecretDecryptionError:
                    result.undecryptable.setdefault(label, []).append(row.pk)
                    continue
                changed.append(row)
            model.objects.bulk_update(changed, [secret_field.attname], batch_size=batch_size)
            result.rotated[label] = len(changed)
        if not result.ok:
            transaction.set_rollback(True)
    return result
