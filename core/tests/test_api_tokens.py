"""API tokens: how a script authenticates, what a read-only or expired token may do, and
how users manage their tokens on the page, through the API and with `manage.py api_token`."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.models import Token
from devices.models import Platform

PLATFORMS = "/api/devices/platforms/"
NEW_PLATFORM = {"name": "Junos", "slug": "junos", "napalm_driver": "junos"}


@pytest.fixture
def admin(db) -> User:
    return User.objects.create_superuser("admin", password="a-long-test-password")


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_without_credentials_the_api_answers_401_in_json(db):
    response = Client().get(PLATFORMS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Token pk_not-a-key", "Invalid token."),
        ("Bearer pk_not-a-key", "Invalid token."),
        ("Token", "The Authorization header must be `Token <key>`"),
        ("Token two words", "The Authorization header must be `Token <key>`"),
    ],
)
def test_a_bad_token_is_a_401_saying_why(db, header, detail):
    response = Client().get(PLATFORMS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"].startswith(detail)


def test_a_token_may_do_what_its_user_may(admin):
    _token, key = Token.issue(admin)
    created = Client().post(PLATFORMS, NEW_PLATFORM, content_type="application/json", **auth(key))
    assert created.status_code == 201
    assert Platform.objects.get(slug="junos").napalm_driver == "junos"
    # "Bearer" is accepted too, as many HTTP clients send it.
    listed = Client().get(PLATFORMS, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert [p["slug"] for p in listed.json()["results"]] == ["junos"]


def test_a_read_only_token_reads_and_may_not_write(admin):
    Platform.objects.create(name="EOS", slug="eos", napalm_driver="eos")
    _token, key = Token.issue(admin, write_enabled=False)
    assert Client().get(PLATFORMS, **auth(key)).json()["count"] == 1
    response = Client().post(PLATFORMS, NEW_PLATFORM, content_type="application/json", **auth(key))
    assert (response.status_code, response.json()) == (403, {"detail": "This token is read-only."})
    platform = Platform.objects.get()
    assert Client().delete(f"{PLATFORMS}{platform.pk}/", **auth(key)).status_code == 403
    assert Platform.objects.filter(pk=platform.pk).exists()


def test_an_expired_token_or_inactive_user_is_refused(admin):
    _token, expired = Token.issue(admin, expires=timezone.now() + timedelta(seconds=1))
    Token.objects.update(expires=timezone.now() - timedelta(seconds=1))
    response = Client().get(PLATFORMS, **auth(expired))
    assert (response.status_code, response.json()["detail"]) == (401, "This token has expired.")

    _token, key = Token.issue(admin)
    admin.is_active = False
    admin.save()
    response = Client().get(PLATFORMS, **auth(key))
    assert (response.status_code, response.json()["detail"]) == (
        401,
        "This token's user is inactive.",
    )


def test_the_token_needs_the_same_permissions_as_the_pages(make_user):
    viewer = make_user(username="viewer")  # every view permission, nothing else
    nobody = make_user(username="nobody", view_all=False)
    _t, viewer_key = Token.issue(viewer)
    _t, nobody_key = Token.issue(nobody)
    assert Client().get(PLATFORMS, **auth(nobody_key)).status_code == 403
    assert Client().get(PLATFORMS, **auth(viewer_key)).status_code == 200
    refused = Client().post(
        PLATFORMS, NEW_PLATFORM, content_type="application/json", **auth(viewer_key)
    )
    assert refused.status_code == 403
    adder = make_user("devices.add_platform", username="adder")
    _t, adder_key = Token.issue(adder)
    done = Client().post(
        PLATFORMS, NEW_PLATFORM, content_type="application/json", **auth(adder_key)
    )
    assert done.status_code == 201


def test_the_key_is_stored_only_as_its_hash_and_last_use_is_recorded(admin):
    token, key = Token.issue(admin, description="backup script")
    assert re.fullmatch(r"pk_[A-Za-z0-9_-]{43}", key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_token")
        stored = repr(cursor.fetchall())
    assert key not in stored and key[10:20] not in stored
    assert token.last_used is None
    Client().get(PLATFORMS, **auth(key))
    token.refresh_from_db()
    assert token.last_used is not None


def test_users_manage_their_own_tokens_through_the_api(admin, make_user):
    _t, key = Token.issue(admin)
    created = Client().post(
        "/api/core/tokens/",
        {"description": "ci", "write_enabled": False},
        content_type="application/json",
        **auth(key),
    )
    assert created.status_code == 201
    new_key = created.json()["key"]
    assert Client().get(PLATFORMS, **auth(new_key)).status_code == 200
    listed = Client().get("/api/core/tokens/", **auth(key)).content.decode()
    assert new_key not in listed and '"key"' not in listed
    # Another user sees none of them, and cannot revoke them.
    _t, other_key = Token.issue(make_user(username="other"))
    assert Client().get("/api/core/tokens/", **auth(other_key)).json()["count"] == 1
    token_url = f"/api/core/tokens/{created.json()['id']}/"
    assert Client().delete(token_url, **auth(other_key)).status_code == 404
    assert Client().delete(token_url, **auth(key)).status_code == 204
    assert Client().get(PLATFORMS, **auth(new_key)).status_code == 401


def nonce(client: Client) -> str:
    """The one-time value of the tokens page's form, as a browser reads it."""
    page = client.get("/tokens/").content.decode()
    return re.search(r'name="nonce" value="([^"]+)"', page)[1]


def test_the_tokens_page_shows_a_new_key_once_and_revokes(admin):
    client = Client()
    client.force_login(admin)
    form = {"description": "monitoring", "write_enabled": "on", "expires": "", "nonce": ""}
    form["nonce"] = nonce(client)
    response = client.post("/tokens/", form)
    key = re.search(r'<code class="token-key">(pk_[^<]+)</code>', response.content.decode())[1]
    assert response["Cache-Control"] == "no-store"
    assert Client().get(PLATFORMS, **auth(key)).status_code == 200
    page = client.get("/tokens/").content.decode()
    assert key not in page and key[:10] in page and "monitoring" in page
    token = Token.objects.get()
    # The browser's reload sends the same form again: no second token.
    again = client.post("/tokens/", form, follow=True)
    assert "That form was already sent" in again.content.decode()
    assert Token.objects.count() == 1
    client.post(f"/tokens/{token.pk}/revoke/")
    assert not Token.objects.exists()
    assert Client().get(PLATFORMS, **auth(key)).status_code == 401


def test_the_tokens_page_refuses_a_past_expiry_and_others_tokens(admin, make_user):
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/tokens/", {"description": "x", "expires": "2001-01-01T00:00", "nonce": nonce(client)}
    )
    assert response.status_code == 400
    assert "The expiry must be in the future." in response.content.decode()
    assert not Token.objects.exists()
    other, _key = Token.issue(make_user(username="other"))
    assert client.post(f"/tokens/{other.pk}/revoke/").status_code == 404
    assert Token.objects.filter(pk=other.pk).exists()


def test_the_api_token_command_creates_lists_and_revokes(admin, capsys):
    call_command("api_token", "create", "--user", "admin", "--read-only", "--expires-in", "30d")
    key = capsys.readouterr().out.strip()
    token = Token.objects.get()
    assert not token.write_enabled
    assert timedelta(days=29) < token.expires - timezone.now() <= timedelta(days=30)
    assert Client().get(PLATFORMS, **auth(key)).status_code == 200
    call_command("api_token", "list", "--user", "admin")
    assert f"{token.prefix}…  read-only" in capsys.readouterr().out
    with pytest.raises(CommandError, match="give a number and h, d or w"):
        call_command("api_token", "create", "--user", "admin", "--expires-in", "soon")
    with pytest.raises(CommandError, match="at most 3650 days"):
        call_command("api_token", "create", "--user", "admin", "--expires-in", "99999999d")
    with pytest.raises(CommandError, match="No user 'ghost'"):
        call_command("api_token", "list", "--user", "ghost")
    call_command("api_token", "revoke", "--user", "admin", "--prefix", token.prefix)
    assert not Token.objects.exists()


def test_unknown_api_addresses_are_json_404s(admin):
    _t, key = Token.issue(admin)
    response = Client().get("/api/no/such/thing/", **auth(key))
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_schema_and_documentation_are_served_without_a_cdn(admin):
    _t, key = Token.issue(admin)
    assert Client().get("/api/schema/").status_code == 401
    schema = Client().get("/api/schema/?format=json", **auth(key)).json()
    assert schema["openapi"].startswith("3.")
    assert "/api/devices/platforms/" in schema["paths"]
    assert Client().get("/api/docs/").status_code == 302  # to the login page
    client = Client()
    client.force_login(admin)
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/") for source in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source


def test_a_token_that_expires_cannot_make_or_extend_a_token_beyond_its_expiry(admin):
    soon = timezone.now() + timedelta(hours=1)
    token, key = Token.issue(admin, expires=soon)
    client = Client()
    for body in ({}, {"expires": None}, {"expires": "9999-12-31T23:59:59Z"}):
        created = client.post(
            "/api/core/tokens/", body, content_type="application/json", **auth(key)
        )
        assert created.status_code == 400, body
        assert "must expire no later" in created.json()["expires"][0]
        refused = client.patch(
            f"/api/core/tokens/{token.pk}/", body, content_type="application/json", **auth(key)
        )
        assert refused.status_code == (200 if body == {} else 400), body
    token.refresh_from_db()
    assert token.expires == soon
    earlier = (soon - timedelta(minutes=5)).isoformat()
    created = client.post(
        "/api/core/tokens/", {"expires": earlier}, content_type="application/json", **auth(key)
    )
    assert created.status_code == 201
    assert Token.objects.get(pk=created.json()["id"]).expires <= soon
