"""The REST API: its writes are recorded as the token's user's, through the API, and the
change log reads at /api/changelog/ (the page's filters, its permission, read-only)."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.test import Client

from changelog.tests.recorded import entries, who
from core.models import Token
from core.tests.builders import router
from devices.models import Platform, Router

PLATFORMS = "/api/devices/platforms/"
CHANGELOG = "/api/changelog/"
ENABLE_SECRET = "canary-Enable-api-41d9"
ROUTER_PASSWORD = "canary-Router-api-8c20"


def _user(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def _client(user: User) -> Client:
    _token, key = Token.issue(user)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def dana(db) -> Client:
    """A script's token: it may manage platforms and read the change log."""
    return _client(
        _user(
            "dana",
            "view_platform",
            "add_platform",
            "change_platform",
            "delete_platform",
            "view_logentry",
        )
    )


def test_the_api_s_writes_are_the_token_user_s(dana) -> None:
    body = {"name": "Junos", "slug": "junos", "napalm_driver": "junos"}
    created = dana.post(PLATFORMS, body, content_type="application/json")
    assert created.status_code == 201, created.content
    url = f"{PLATFORMS}{created.json()['id']}/"
    args = {"napalm_args": {"secret": ENABLE_SECRET, "port": 830}}
    assert dana.patch(url, args, content_type="application/json").status_code == 200
    assert dana.delete(url).status_code == 204

    recorded = entries(Platform)
    assert [e.action for e in recorded] == [0, 1, 2]
    assert {who(e) for e in recorded} == {("dana", "api", "dana")}
    assert recorded[1].changes == {"napalm_args": [{}, {"port": 830, "secret": "********"}]}


def test_the_change_log_reads_with_the_page_s_filters(dana) -> None:
    dana.post(PLATFORMS, {"name": "EOS", "slug": "eos"}, content_type="application/json")
    Platform.objects.create(name="Outside", slug="outside")  # no door: no origin

    listed = dana.get(CHANGELOG, {"origin": "api"}).json()
    assert listed["count"] == 1
    [change] = listed["results"]
    assert change["display"] == "Platform EOS created"
    assert (change["action"], change["object_type"], change["object"]) == (
        "created",
        "devices.platform",
        "EOS",
    )
    assert (change["who"], change["origin"], change["job"]) == ("dana", "api", None)
    assert change["changes"]["slug"] == [None, "eos"]
    assert dana.get(change["url"]).json() == change
    assert dana.get(CHANGELOG, {"q": "outside"}).json()["count"] == 1
    assert dana.get(CHANGELOG, {"type": "devices.router"}).json()["count"] == 0
    assert dana.get(CHANGELOG, {"actor": "DANA"}).json()["count"] == 1


def test_the_change_log_needs_its_view_permission_and_is_read_only(dana, db) -> None:
    Platform.objects.create(name="EOS", slug="eos")
    entry = LogEntry.objects.get()
    others = _client(_user("erin", "view_platform"))
    assert others.get(CHANGELOG).status_code == 403
    assert others.get(f"{CHANGELOG}{entry.pk}/").status_code == 403
    assert dana.get(CHANGELOG).status_code == 200
    # Not even a superuser changes the change log.
    root = _client(User.objects.create_superuser("root-api", password="a-long-test-password"))
    assert root.delete(f"{CHANGELOG}{entry.pk}/").status_code == 405
    assert root.post(CHANGELOG, {}, content_type="application/json").status_code == 405
    assert root.patch(
        f"{CHANGELOG}{entry.pk}/", {}, content_type="application/json"
    ).status_code == (405)
    assert LogEntry.objects.count() == 1


def test_the_api_never_shows_a_secret(dana) -> None:
    body = {"name": "IOS", "slug": "ios", "napalm_args": {"secret": ENABLE_SECRET}}
    assert dana.post(PLATFORMS, body, content_type="application/json").status_code == 201
    shown = json.dumps(dana.get(CHANGELOG).json())
    assert ENABLE_SECRET not in shown and ENABLE_SECRET[len(ENABLE_SECRET) // 2 :] not in shown
    assert '"secret": "********"' in shown


def test_a_password_set_through_the_api_is_recorded_as_changed(db) -> None:
    r1 = router("r1")
    client = _client(_user("frank", "view_router", "change_router", "view_logentry"))
    url = f"/api/devices/routers/{r1.pk}/"
    for password in (ROUTER_PASSWORD, ROUTER_PASSWORD + "-2"):
        response = client.patch(url, {"napalm_password": password}, content_type="application/json")
        assert response.status_code == 200, response.content
    set_first, replaced = entries(Router, action=1)
    assert set_first.changes == {"napalm_password": [None, "changed"]}
    assert replaced.changes == {"napalm_password": ["••••", "changed"]}
    assert who(replaced) == ("frank", "api", "frank")
    token = Router.objects.get(pk=r1.pk).napalm_password.token
    shown = json.dumps(client.get(CHANGELOG, {"type": "devices.router"}).json())
    stored = json.dumps(list(LogEntry.objects.values()), default=str)
    for text in (shown, stored):
        assert ROUTER_PASSWORD[len(ROUTER_PASSWORD) // 2 :] not in text
        assert token not in text
