"""Session passwords a router may still have, kept so that they stay masked.

A password replaced in the inventory (or whose session was deleted or moved) is still on
the router until the next deploy, and a diff's removed line quotes it. Every such
password is kept, encrypted, on the router it was on (Router.retired_session_passwords,
the most recent MAX_RETIRED), and rendering masks them in all the router says
(configs/rendering.py). Kept through signals, so the admin, forms, scripts and cascades
all count; bulk `QuerySet.update()` of passwords bypasses them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import pre_delete, pre_save

from core.crypto import SecretDecryptionError
from core.secrets import Secret
from devices.models import Router
from peering.models import BGPSession
from peering.queries import SESSION_KINDS, session_kind

MAX_RETIRED = 200


def retired_passwords(router: Router) -> list[str]:
    """The router's retired session passwords, oldest first (undecryptable: none)."""
    secret = router.retired_session_passwords
    try:
        return secret.reveal().split("\n") if secret else []
    except SecretDecryptionError:
        return []


def _router_id(session: BGPSession) -> int | None:
    return session_kind(session).router_id_of(session)


def _password(session: BGPSession) -> str | None:
    try:
        return session.password.reveal() if session.password else None
    except SecretDecryptionError:
        return None


def retire(router_id: int | None, password: str | None) -> None:
    """Keep `password` among the router's retired passwords (once, most recent last)."""
    if router_id is None or not password:
        return
    with transaction.atomic():
        router = (
            Router.objects.select_for_update()
            .only("pk", "retired_session_passwords")
            .filter(pk=router_id)
            .first()
        )
        if router is None:
            return
        known = [p for p in retired_passwords(router) if p != password]
        known = [*known, password][-MAX_RETIRED:]
        Router.objects.filter(pk=router_id).update(
            retired_session_passwords=Secret.from_plaintext("\n".join(known))
        )


def _before_save(sender: type[BGPSession], instance: BGPSession, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    # What lies between the session and its router, loaded with it (router_id_of).
    between = session_kind(sender).router_path.rpartition("__")[0]
    stored = sender.objects.select_related(*filter(None, [between])).filter(pk=instance.pk)
    stored = stored.first()
    if stored is None:
        return
    old = _password(stored)
    if old and (old != _password(instance) or _router_id(stored) != _router_id(instance)):
        retire(_router_id(stored), old)


def _before_delete(sender: type[BGPSession], instance: BGPSession, **kwargs: Any) -> None:
    retire(_router_id(instance), _password(instance))


for model in (kind.model for kind in SESSION_KINDS):
    pre_save.connect(_before_save, sender=model, dispatch_uid=f"retire-{model.__name__}-save")
    pre_delete.connect(_before_delete, sender=model, dispatch_uid=f"retire-{model.__name__}-delete")
