"""The API's platforms and routers: CRUD, filters, validation, secrets, permissions."""

from __future__ import annotations

import pytest

from core.tests import builders
from core.tests.api import APIClient, assert_bad, check_model_permissions, ids, permission_user
from devices.models import Platform, Router
from peering.models import Connection, DirectPeeringSession

ROUTERS = "/api/devices/routers/"
PLATFORMS = "/api/devices/platforms/"
PASSWORD = "Napalm-Secret-4711"


def router_url(router: Router | int) -> str:
    return f"{ROUTERS}{getattr(router, 'pk', router)}/"


@pytest.fixture
def related(db) -> dict[str, int]:
    return {
        "platform": builders.platform().pk,
        "local_autonomous_system": builders.our_as().pk,
        "config_template": builders.config_template().pk,
    }


def test_platform_round_trip(api) -> None:
    response = api.post(
        PLATFORMS,
        {"name": "Junos", "slug": "junos", "napalm_driver": "junos", "napalm_args": {"port": 830}},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    url = created["url"]
    assert created["display"] == "Junos" and created["poll_with_detail"] is True
    assert api.get(url).json() == created
    changed = {**created, "name": "Juniper Junos", "poll_with_detail": False}
    response = api.put(url, changed)
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Juniper Junos"
    response = api.patch(url, {"description": "MX and PTX"})
    assert response.json()["description"] == "MX and PTX"
    assert Platform.objects.get(slug="junos").poll_with_detail is False
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert not Platform.objects.filter(slug="junos").exists()


def test_router_round_trip(api, related) -> None:
    response = api.post(ROUTERS, {"name": "r9", "hostname": "r9.example.net", **related})
    assert response.status_code == 201, response.content
    created = response.json()
    # Related objects are written as ids and read as brief objects.
    assert created["platform"]["id"] == related["platform"]
    assert set(created["platform"]) == {"id", "url", "display", "name", "slug"}
    assert created["local_autonomous_system"]["asn"] == 64500
    assert created["config_template"]["name"] == "main"
    assert created["napalm_password_set"] is False
    url = created["url"]
    assert api.get(url).json() == created
    body = {**created, **related, "hostname": "192.0.2.9", "status": "disabled"}
    response = api.put(url, body)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "disabled"
    response = api.patch(url, {"platform": None, "napalm_timeout": 60})
    assert response.status_code == 200, response.content
    assert response.json()["platform"] is None
    assert response.json()["stale_reason"].startswith("not polled")
    router = Router.objects.get(name="r9")
    assert (router.hostname, router.platform, router.napalm_timeout) == ("192.0.2.9", None, 60)
    assert api.delete(url).status_code == 204
    assert not Router.objects.filter(name="r9").exists()


def test_router_password_is_write_only(api, related) -> None:
    response = api.post(
        ROUTERS, {"name": "r9", "hostname": "r9", "napalm_password": PASSWORD, **related}
    )
    assert response.status_code == 201, response.content
    router = Router.objects.get(name="r9")
    assert router.napalm_password.reveal() == PASSWORD
    token = router.napalm_password.token
    for answer in (response, api.get(router_url(router)), api.get(ROUTERS)):
        assert PASSWORD.encode() not in answer.content
        assert token.encode() not in answer.content
        assert b'"napalm_password"' not in answer.content
    assert api.get(router_url(router)).json()["napalm_password_set"] is True
    # Left out: kept. Empty: removed.
    api.patch(router_url(router), {"description": "edge"})
    assert Router.objects.get(name="r9").napalm_password.reveal() == PASSWORD
    response = api.patch(router_url(router), {"napalm_password": ""})
    assert response.json()["napalm_password_set"] is False
    assert Router.objects.get(name="r9").napalm_password is None


def test_napalm_arguments_are_masked(api, related) -> None:
    args = {"secret": "Enable-Secret-1", "port": 2222, "nested": [{"password": "Deep-Pw-2"}]}
    response = api.post(ROUTERS, {"name": "r9", "hostname": "r9", "napalm_args": args, **related})
    assert response.status_code == 201, response.content
    shown = response.json()["napalm_args"]
    assert shown == {"secret": "********", "port": 2222, "nested": [{"password": "********"}]}
    assert b"Enable-Secret-1" not in api.get(ROUTERS).content
    # Writing back what was read keeps the credentials it could not see.
    response = api.patch(response.json()["url"], {"napalm_args": {**shown, "port": 22}})
    assert response.status_code == 200, response.content
    stored = Router.objects.get(name="r9").napalm_args
    assert stored == {**args, "port": 22}
    platform = Platform.objects.get(pk=related["platform"])
    platform.napalm_args = {"key_passphrase": "Key-Pass-3"}
    platform.save()
    assert b"Key-Pass-3" not in api.get(PLATFORMS).content
    assert api.get(f"{PLATFORMS}{platform.pk}/").json()["napalm_args"] == {
        "key_passphrase": "********"
    }


def test_router_filters_are_the_pages(api, related) -> None:
    r1 = builders.router("r1")
    r2 = Router.objects.create(name="r2", hostname="edge.example", status="disabled")
    other = Platform.objects.create(name="EOS", slug="eos", napalm_driver="eos")
    r3 = Router.objects.create(name="r3", hostname="r3", platform=other)
    assert ids(api.get(ROUTERS)) == [r1.pk, r2.pk, r3.pk]
    assert ids(api.get(ROUTERS, {"status": "disabled"})) == [r2.pk]
    assert ids(api.get(ROUTERS, {"platform": other.pk})) == [r3.pk]
    assert ids(api.get(ROUTERS, {"q": "edge"})) == [r2.pk]
    assert ids(api.get(ROUTERS, {"local_autonomous_system": related["local_autonomous_system"]}))
    assert ids(api.get(ROUTERS, {"config_template": related["config_template"]})) == [r1.pk]
    assert_bad(api.get(ROUTERS, {"status": "sideways"}), "status")
    assert_bad(api.get(ROUTERS, {"platform": "99999999999999999999999"}), "platform")
    assert_bad(api.get(ROUTERS, {"q": "a\x00b"}), "q")
    assert ids(api.get(PLATFORMS, {"q": "eos"})) == [other.pk]


BAD_ROUTERS = [
    ({"name": "x" * 101}, "name"),
    ({"name": "r\x00"}, "name"),
    ({"name": 42}, "name"),
    ({"name": ["r9"]}, "name"),
    ({"hostname": "not a host!"}, "hostname"),
    ({"hostname": "999.1.1.1"}, "hostname"),
    ({"hostname": None}, "hostname"),
    ({"platform": 999999}, "platform"),
    ({"platform": 10**40}, "platform"),
    ({"platform": -1}, "platform"),
    ({"platform": "1"}, "platform"),
    ({"platform": True}, "platform"),
    ({"platform": {"id": 1}}, "platform"),
    ({"status": "sideways"}, "status"),
    ({"napalm_timeout": 0}, "napalm_timeout"),
    ({"napalm_timeout": 3601}, "napalm_timeout"),
    ({"napalm_timeout": 10**40}, "napalm_timeout"),
    ({"napalm_timeout": 1.5}, "napalm_timeout"),
    ({"napalm_timeout": "30"}, "napalm_timeout"),
    ({"napalm_args": [1, 2]}, "napalm_args"),
    ({"napalm_args": "port=22"}, "napalm_args"),
    ({"napalm_args": {"a": "b\x00"}}, "napalm_args"),
    ({"napalm_password": "p" * 1025}, "napalm_password"),
    ({"napalm_password": "p\x00w"}, "napalm_password"),
    ({"napalm_password": 1234}, "napalm_password"),
    ({"poll_bgp_sessions_state": "maybe"}, "poll_bgp_sessions_state"),
    ({"description": "d" * 201}, "description"),
]


@pytest.mark.parametrize(("change", "field"), BAD_ROUTERS)
def test_bad_router_input_is_a_400_naming_the_field(api, related, change, field) -> None:
    body = {"name": "r9", "hostname": "r9", **related, **change}
    assert_bad(api.post(ROUTERS, body), field)
    assert not Router.objects.filter(name="r9").exists()
    router = builders.router("r1")
    assert_bad(api.patch(router_url(router), change), field)


def test_router_choices_follow_the_form(api, related) -> None:
    peer = builders.peer_as()  # not one of ours: the form does not offer it
    response = api.post(
        ROUTERS, {**related, "name": "r9", "hostname": "r9", "local_autonomous_system": peer.pk}
    )
    assert_bad(response, "local_autonomous_system")
    builders.router("r1")
    assert_bad(api.post(ROUTERS, {"name": "r1", "hostname": "r1"}), "name")


def test_malformed_bodies_are_400(api, db) -> None:
    for body in ("{", "[1, 2]", '"text"', "[" * 100_000 + "]" * 100_000, "null"):
        response = api.post(ROUTERS, body)
        assert response.status_code == 400, (body[:10], response.content)
        assert response.json()


def test_deleting_a_used_router_or_platform_is_a_409(api, db) -> None:
    session = DirectPeeringSession.objects.create(
        router=builders.router("r1"), autonomous_system=builders.peer_as(), ip_address="192.0.2.2"
    )
    router = session.router
    response = api.delete(f"{PLATFORMS}{router.platform_id}/")
    assert response.status_code == 409
    assert "r1" in response.json()["detail"]
    response = api.delete(router_url(router))
    assert response.status_code == 409
    assert "192.0.2.2" in response.json()["detail"]
    session.delete()
    Connection.objects.create(
        internet_exchange=builders.internet_exchange(), router=router, ipv4_address="10.0.0.1/24"
    )
    assert api.delete(router_url(router)).status_code == 409
    assert Router.objects.filter(pk=router.pk).exists()


def test_permissions(db, related) -> None:
    check_model_permissions(ROUTERS, Router, {"name": "r9", "hostname": "r9", **related})
    check_model_permissions(PLATFORMS, Platform, {"name": "IOS", "slug": "ios"})


def test_a_read_only_token_reads_only(admin_user, related) -> None:
    api = APIClient(admin_user, write_enabled=False)
    assert api.get(ROUTERS).status_code == 200
    assert api.post(ROUTERS, {"name": "r9", "hostname": "r9"}).status_code == 403


def test_change_permission_is_needed_to_change(db) -> None:
    router = builders.router("r1")
    api = APIClient(permission_user("viewer", "devices.view_router"))
    assert api.patch(router_url(router), {"description": "x"}).status_code == 403
    assert api.delete(router_url(router)).status_code == 403
    api = APIClient(permission_user("changer", "devices.view_router", "devices.change_router"))
    assert api.patch(router_url(router), {"description": "x"}).status_code == 200


def test_any_other_address_is_a_json_404(api, db) -> None:
    for url in ("/api/devices/routers/x/", "/api/devices/routers/%0A1/", "/api/nothing/\n/"):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
