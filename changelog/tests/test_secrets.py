"""The change log says a secret changed, never what it is or was: neither the plaintext
(nor any piece of it, as a half-masking would leave) nor its Fernet token, in any stored
column of any entry, in any page that shows entries, or in what the command prints; and
re-encrypting every secret with a new key is no change at all."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from cryptography.fernet import Fernet
from django.db import connection as db_connection
from django.test import Client

from changelog.tests.recorded import entries
from core.key_rotation import rotate_secrets
from core.secrets import quoted_forms
from core.tests.builders import bgp_group, connection, our_as, peer_as, platform
from devices.models import Router
from peering.models import DirectPeeringSession, InternetExchangePeeringSession
from peerkeeper.testing import run_command

ROUTER_PASSWORD = "canary-Router-9f3a"
ENABLE_SECRET = "canary-Enable-77c1"
SESSION_PASSWORDS = ["canary-Ixp-0b2e", "canary-Ixp-Second-5d1", "canary-Direct-e6a4"]
CANARIES = [ROUTER_PASSWORD, ENABLE_SECRET, *SESSION_PASSWORDS]


def _tokens() -> set[str]:
    """Every Fernet token stored now, of every secret (the retired passwords too)."""
    found = set()
    for model, fields in (
        (Router, ["napalm_password", "retired_session_passwords"]),
        (InternetExchangePeeringSession, ["password"]),
        (DirectPeeringSession, ["password"]),
    ):
        for row in model.objects.values_list(*fields):
            found |= {secret.token for secret in row if secret is not None}
    return found


def _leaks(text: str, tokens: set[str]) -> list[str]:
    """What of a secret `text` holds: a canary in any quoted form, the last half of one
    (what a half-mask leaves), or a token."""
    found = [form for canary in CANARIES for form in quoted_forms(canary) if form in text]
    found += [
        canary[len(canary) // 2 :] for canary in CANARIES if canary[len(canary) // 2 :] in text
    ]
    return found + [token[:20] for token in tokens if token in text]


def _stored_entries() -> str:
    """Every column of every entry, as the database holds it."""
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {LogEntry._meta.db_table}")
        return json.dumps(cursor.fetchall(), default=str, ensure_ascii=False)


@pytest.fixture
def secret_history(db, admin_client: Client) -> set[str]:
    """Secrets set, replaced, removed and deleted through the pages and the admin; every
    token that was stored along the way."""
    tokens: set[str] = set()
    port = connection()
    router = port.router
    edit_router = f"/devices/routers/{router.pk}/edit/"
    router_form = {
        "name": "r1",
        "hostname": "198.18.0.1",
        "platform": platform().pk,
        "status": "enabled",
        "local_autonomous_system": our_as().pk,
        "napalm_args": json.dumps({"secret": ENABLE_SECRET, "port": 22}),
        "napalm_password": ROUTER_PASSWORD,
    }
    assert admin_client.post(edit_router, router_form).status_code == 302
    tokens |= _tokens()

    ixp_form = {
        "ixp_connection": port.pk,
        "autonomous_system": peer_as().pk,
        "ip_address": "192.0.2.11",
        "status": "enabled",
        "password": SESSION_PASSWORDS[0],
    }
    assert admin_client.post("/peering/ixp-sessions/add/", ixp_form).status_code == 302
    session = InternetExchangePeeringSession.objects.get()
    tokens |= _tokens()
    edit_session = f"/peering/ixp-sessions/{session.pk}/edit/"
    response = admin_client.post(edit_session, {**ixp_form, "password": SESSION_PASSWORDS[1]})
    assert response.status_code == 302
    tokens |= _tokens()
    response = admin_client.post(edit_session, {**ixp_form, "password_remove": "on"})
    assert response.status_code == 302

    direct_form = {
        "router": router.pk,
        "bgp_group": bgp_group().pk,
        "autonomous_system": peer_as().pk,
        "ip_address": "198.51.100.1",
        "status": "enabled",
        "password": SESSION_PASSWORDS[2],
    }
    assert admin_client.post("/peering/direct-sessions/add/", direct_form).status_code == 302
    direct = DirectPeeringSession.objects.get()
    tokens |= _tokens()
    # The admin deletes the direct session; the page deletes the IXP session.
    response = admin_client.post(
        f"/admin/peering/directpeeringsession/{direct.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert admin_client.post(f"/peering/ixp-sessions/{session.pk}/delete/").status_code == 302
    return tokens | _tokens()


def test_a_changed_secret_is_recorded_as_changed(secret_history) -> None:
    router_changes = entries(Router)[-1].changes
    assert router_changes["napalm_password"] == [None, "changed"]
    # The enable secret inside the driver arguments is masked as the pages mask it.
    assert router_changes["napalm_args"] == [{}, {"port": 22, "secret": "********"}]
    created, replaced, removed, deleted = entries(InternetExchangePeeringSession)
    assert created.changes["password"] == [None, "changed"]
    assert replaced.changes == {"password": ["••••", "changed"]}
    assert removed.changes == {"password": ["••••", None]}
    assert "password" not in deleted.changes  # it had none any more
    assert entries(DirectPeeringSession)[-1].changes["password"] == ["••••", None]


def test_no_stored_column_of_any_entry_holds_a_secret(secret_history) -> None:
    assert len(secret_history) >= 4
    assert LogEntry.objects.count() >= 8
    assert _leaks(_stored_entries(), secret_history) == []


def test_no_page_and_no_command_shows_a_secret(secret_history, admin_client) -> None:
    router = Router.objects.get()
    keys = list(LogEntry.objects.values_list("pk", flat=True))
    urls = [
        "/changelog/",
        "/changelog/?q=r1",
        f"/devices/routers/{router.pk}/",
        "/admin/auditlog/logentry/",
        *(f"/changelog/{pk}/" for pk in keys),
        *(f"/admin/auditlog/logentry/{pk}/change/" for pk in keys),
    ]
    shown = []
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        shown.append(response.content.decode())
    assert "changed" in shown[0]
    status, out, _ = run_command("changelog", "--json", "--count", "100")
    assert status == 0
    shown.append(out)
    assert _leaks("\n".join(shown), secret_history) == []


def test_rotating_the_encryption_key_is_no_change(secret_history, settings) -> None:
    router = Router.objects.get()
    recorded = list(LogEntry.objects.order_by("pk").values())
    settings.CREDENTIALS_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.CREDENTIALS_ENCRYPTION_KEYS,
    ]

    result = rotate_secrets()

    assert result.ok and result.rotated["devices.Router.napalm_password"] == 1
    new_tokens = _tokens()
    assert router.napalm_password.token not in new_tokens  # re-encrypted
    assert Router.objects.get().napalm_password.reveal() == ROUTER_PASSWORD
    assert list(LogEntry.objects.order_by("pk").values()) == recorded
    assert _leaks(_stored_entries(), secret_history | new_tokens) == []
