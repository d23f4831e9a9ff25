"""Bad input to routers and platforms: a clear error beside the field, and nothing changed."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from devices.models import Platform, Router


@pytest.fixture
def editor_client(make_user) -> Client:
    client = Client()
    client.force_login(
        make_user("devices.add_router", "devices.change_router", "devices.add_platform",
                  "devices.change_platform", username="editor")
    )  # fmt: skip
    return client


def _router_form(router: Router, **changes: str) -> dict[str, str]:
    data = {
        "name": router.name,
        "hostname": router.hostname,
        "platform": str(router.platform_id or ""),
        "status": router.status,
        "local_autonomous_system": str(router.local_autonomous_system_id or ""),
        "config_template": str(router.config_template_id or ""),
        "poll_bgp_sessions_state": "on",
        "napalm_args": '{"port": 2222}',
    }
    return data | changes


def _platform_form(platform: Platform, **changes: str) -> dict[str, str]:
    data = {
        "name": platform.name,
        "slug": platform.slug,
        "napalm_driver": platform.napalm_driver,
        "napalm_args": '{"port": 2222}',
        "poll_with_detail": "on",
    }
    return data | changes


@pytest.mark.parametrize(
    "hostname",
    [
        "999.1.1.1",  # dotted like an address, but not one
        "2130706433",  # 127.0.0.1 to a resolver, in decimal
        "0x7f.0.0.1",  # 127.0.0.1 to a resolver, in hexadecimal
        "010.0.0.1",  # octal to a resolver, decimal to a person
        "NaN",  # a spreadsheet's empty cell
        "None",  # str(None) in a script
        "edge_1.example.net",
        "r1;reboot",
        "ré1.example.net",
    ],
)
def test_a_hostname_that_is_no_address_or_dns_name_is_refused(db, hostname: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Router(name="r1", hostname=hostname).full_clean()
    (message,) = caught.value.message_dict["hostname"]
    assert message.startswith(f"“{hostname}” is neither an IP address nor a valid DNS name: ")


@pytest.mark.parametrize(
    "hostname",
    ["r1", "cr1.ams2", "os.system", "edge-1.example.net.", "198.18.0.11", "2001:db8::11"],
)
def test_addresses_and_well_formed_names_are_hostnames(db, hostname: str) -> None:
    # A well-formed name is not checked against DNS: `os.system` is as valid as `cr1.ams2`,
    # and an unknown name is reported when the router is contacted.
    Router(name="r1", hostname=hostname).full_clean()


def test_the_router_form_refuses_a_bad_hostname_beside_the_field(
    editor_client, ui_inventory
) -> None:
    url = f"/devices/routers/{ui_inventory.pk}/edit/"
    response = editor_client.post(url, _router_form(ui_inventory, hostname="999.1.1.1"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["hostname"]
    assert "a name ending in a number is read as an IPv4 address" in response.content.decode()
    ui_inventory.refresh_from_db()
    assert ui_inventory.hostname == "127.0.0.1"


@pytest.mark.parametrize("kind", ["router", "platform"])
def test_clearing_the_napalm_arguments_box_stores_no_options(
    editor_client, ui_inventory, kind: str
) -> None:
    obj = ui_inventory if kind == "router" else ui_inventory.platform
    type(obj).objects.filter(pk=obj.pk).update(napalm_args={"port": 2222})
    form = _router_form(obj) if kind == "router" else _platform_form(obj)
    url = f"/devices/{kind}s/{obj.pk}/edit/"
    response = editor_client.post(url, form | {"napalm_args": ""})
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.napalm_args == {}
    page = editor_client.get(url).content.decode()
    assert re.search(r'<textarea name="napalm_args"[^>]*>\s*\{\}</textarea>', page)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("null", "Enter a JSON object"),
        ("[1, 2]", "Enter a JSON object"),
        ('"port=22"', "Enter a JSON object"),
        ("{port: 22}", "Enter valid JSON"),
        ('{"port": NaN}', "Enter valid JSON"),
        ('{"port": 1e999}', "Numbers must be finite"),
        ('{"key_file": "/root/\\u0000"}', "NUL character"),
        ('{"port": ' + "9" * 5000 + "}", "Enter valid JSON"),
        ("[" * 100_000, "Enter valid JSON"),
    ],
)
@pytest.mark.parametrize("kind", ["router", "platform"])
def test_napalm_arguments_that_are_not_a_json_object_are_refused_beside_the_field(
    editor_client, ui_inventory, kind: str, text: str, message: str
) -> None:
    obj = ui_inventory if kind == "router" else ui_inventory.platform
    type(obj).objects.filter(pk=obj.pk).update(napalm_args={"port": 2222})
    form = _router_form(obj) if kind == "router" else _platform_form(obj)
    form["napalm_args"] = text
    response = editor_client.post(f"/devices/{kind}s/{obj.pk}/edit/", form)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["napalm_args"]
    assert message in response.context["form"].errors["napalm_args"][0]
    assert 'id="id_napalm_args_error"' in response.content.decode()
    obj.refresh_from_db()
    assert obj.napalm_args == {"port": 2222}


def test_a_router_saved_without_options_gets_an_empty_object(db) -> None:
    router = Router.objects.create(name="r1", hostname="r1.example.net", napalm_args=None)
    assert router.napalm_args == {}
    Router.objects.filter(pk=router.pk).update(napalm_args=None)
    router.refresh_from_db()
    assert router.napalm_args == {}


def test_a_napalm_password_has_a_sane_length(editor_client, ui_inventory) -> None:
    url = f"/devices/routers/{ui_inventory.pk}/edit/"
    response = editor_client.post(url, _router_form(ui_inventory, napalm_password="p" * 200_000))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["napalm_password"]
    assert "at most 1024 characters; this one has 200000" in response.content.decode()
    ui_inventory.refresh_from_db()
    assert ui_inventory.napalm_password.reveal() == "router-secret"

    ui_inventory.napalm_password = "p" * 1025
    with pytest.raises(ValidationError) as caught:
        ui_inventory.full_clean()
    assert list(caught.value.message_dict) == ["napalm_password"]
    ui_inventory.napalm_password = "p" * 1024
    ui_inventory.full_clean()
