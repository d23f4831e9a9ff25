"""Credentials are encrypted at rest and never shown back."""

import io
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from core.crypto import SecretDecryptionError
from core.secrets import Secret
from devices.models import Router

PLAINTEXT = "correct-horse-battery-staple"
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def _raw_password(router: Router) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT napalm_password FROM devices_router WHERE id = %s", [router.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def router(db) -> Router:
    return Router.objects.create(name="r1", hostname="198.18.0.11", napalm_password=PLAINTEXT)


def test_the_column_holds_a_token_that_decrypts_to_the_password(router: Router) -> None:
    raw = _raw_password(router)
    assert PLAINTEXT not in raw
    assert Secret(raw).reveal() == PLAINTEXT


def test_reading_gives_a_masked_secret(router: Router) -> None:
    stored = Router.objects.get(pk=router.pk).napalm_password
    assert isinstance(stored, Secret)
    assert stored.reveal() == PLAINTEXT
    assert PLAINTEXT not in f"{stored} {stored!r}"


def test_assignment_encrypts_at_once(router: Router) -> None:
    router.napalm_password = "another-one"
    assert isinstance(router.napalm_password, Secret)
    assert "another-one" not in repr(router.__dict__)


def test_blank_means_no_secret(router: Router) -> None:
    router.napalm_password = ""
    router.save()
    assert _raw_password(router) is None
    assert Router.objects.get(pk=router.pk).napalm_password is None


def test_a_wrong_key_is_a_clear_error(router: Router) -> None:
    with override_settings(CREDENTIALS_ENCRYPTION_KEYS=[KEY_B]):
        stored = Router.objects.get(pk=router.pk).napalm_password
        with pytest.raises(SecretDecryptionError, match="cannot be decrypted with any key"):
            stored.reveal()


@pytest.mark.django_db
def test_rotation_moves_every_secret_to_the_first_key() -> None:
    with override_settings(CREDENTIALS_ENCRYPTION_KEYS=[KEY_A]):
        router = Router.objects.create(
            name="r1", hostname="r1.example.net", napalm_password=PLAINTEXT
        )
    with override_settings(CREDENTIALS_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    with override_settings(CREDENTIALS_ENCRYPTION_KEYS=[KEY_B]):
        assert Router.objects.get(pk=router.pk).napalm_password.reveal() == PLAINTEXT


@pytest.mark.django_db
def test_rotation_changes_nothing_when_a_secret_cannot_be_decrypted() -> None:
    with override_settings(CREDENTIALS_ENCRYPTION_KEYS=[KEY_A]):
        lost = Router.objects.create(name="r1", hostname="r1.example.net", napalm_password="x")
    with override_settings(CREDENTIALS_ENCRYPTION_KEYS=[KEY_B]):
        other = Router.objects.create(name="r2", hostname="r2.example.net", napalm_password="y")
    before = (_raw_password(lost), _raw_password(other))
    expected = f"devices.Router.napalm_password of ids {lost.pk}"
    with (
        override_settings(CREDENTIALS_ENCRYPTION_KEYS=[KEY_B]),
        pytest.raises(CommandError, match=expected),
    ):
        call_command("rotate_encryption_keys")
    assert (_raw_password(lost), _raw_password(other)) == before


def test_dumpdata_and_loaddata_keep_secrets_encrypted(router: Router, tmp_path: Path) -> None:
    dump = tmp_path / "routers.json"
    call_command("dumpdata", "devices.router", output=str(dump))
    assert PLAINTEXT not in dump.read_text()
    Router.objects.all().delete()
    call_command("loaddata", str(dump), stdout=io.StringIO())
    assert Router.objects.get(name="r1").napalm_password.reveal() == PLAINTEXT


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.net", "pw-for-tests")
    client.force_login(user)
    return client


def _router_form(router: Router, **changes: str) -> dict[str, str]:
    data = {
        "name": router.name,
        "hostname": router.hostname,
        "status": router.status,
        "napalm_username": "",
        "napalm_password": "",
        "napalm_args": "{}",
        "poll_bgp_sessions_state": "on",
        "description": "",
    }
    data.update(changes)
    return data


def test_the_admin_form_never_shows_the_password(admin_client, router: Router) -> None:
    page = admin_client.get(f"/admin/devices/router/{router.pk}/change/").content.decode()
    assert PLAINTEXT not in page
    assert _raw_password(router) not in page
    assert "A value is stored; leave blank to keep it." in page


def test_the_admin_form_keeps_replaces_and_removes_the_password(admin_client, router) -> None:
    url = f"/admin/devices/router/{router.pk}/change/"
    admin_client.post(url, _router_form(router, description="kept"))
    router.refresh_from_db()
    assert router.description == "kept"
    assert router.napalm_password.reveal() == PLAINTEXT

    admin_client.post(url, _router_form(router, napalm_password="new-password"))
    router.refresh_from_db()
    assert router.napalm_password.reveal() == "new-password"

    admin_client.post(url, _router_form(router, napalm_password_remove="on"))
    router.refresh_from_db()
    assert router.napalm_password is None


@pytest.mark.django_db(transaction=True)
def test_the_database_file_holds_no_plaintext() -> None:
    Router.objects.create(name="r1", hostname="198.18.0.11", napalm_password=PLAINTEXT)
    if connection.vendor == "sqlite":
        database = Path(connection.settings_dict["NAME"])
        stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT napalm_password FROM devices_router")
            stored = repr(cursor.fetchall()).encode()
    assert stored
    assert PLAINTEXT.encode() not in stored


def test_credentials_among_napalm_arguments_are_masked_on_the_router_page(admin_client) -> None:
    router = Router.objects.create(
        name="r1",
        hostname="192.0.2.1",
        napalm_args={"secret": "enable-secret-1", "port": 22, "nested": {"key_passphrase": "kp"}},
    )
    page = admin_client.get(reverse("devices:router", args=[router.pk])).content.decode()
    assert "enable-secret-1" not in page and '"kp"' not in page
    assert "&quot;port&quot;: 22" in page or '"port": 22' in page
