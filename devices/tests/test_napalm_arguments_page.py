"""The router page's NAPALM arguments: the values a connection uses, where each comes from,
and never a credential."""

from __future__ import annotations

import pytest
from django.test import override_settings

from core.tests.html import visible_text
from devices.models import Router
from devices.napalm import driver_settings


def _page(client, router: Router) -> str:
    return visible_text(client.get(f"/devices/routers/{router.pk}/"))


@override_settings(
    NAPALM_TIMEOUT=45,
    NAPALM_USERNAME="netops",
    NAPALM_PASSWORD="settings-password",
    NAPALM_ARGS={"port": 2222, "transport": "ssh", "secret": "enable-from-settings"},
)
def test_settings_fill_in_what_the_router_does_not_set(viewer_client, ui_inventory) -> None:
    ui_inventory.napalm_password = None
    ui_inventory.save()
    ui_inventory.platform.napalm_args = {"transport": "telnet", "global_delay_factor": 2}
    ui_inventory.platform.save()
    text = _page(viewer_client, ui_inventory)
    for shown in [
        "Timeout 45 s settings: NAPALM_TIMEOUT",
        "Username netops settings: NAPALM_USERNAME",
        "Password from NAPALM_PASSWORD settings: NAPALM_PASSWORD",
        "global_delay_factor 2 platform",
        "port 2222 settings: NAPALM_ARGS",
        'secret "********" settings: NAPALM_ARGS',
        'transport "telnet" platform',
    ]:
        assert shown in text, shown
    assert "settings-password" not in text
    assert "enable-from-settings" not in text


@override_settings(NAPALM_TIMEOUT=45, NAPALM_USERNAME="netops", NAPALM_ARGS={"port": 2222})
def test_the_routers_own_values_win(viewer_client, ui_inventory) -> None:
    ui_inventory.napalm_timeout = 7
    ui_inventory.napalm_username = "r1-admin"
    ui_inventory.napalm_args = {"port": 830, "key_passphrase": "router-passphrase"}
    ui_inventory.save()
    page = viewer_client.get(f"/devices/routers/{ui_inventory.pk}/").content.decode()
    text = _page(viewer_client, ui_inventory)
    for shown in [
        "Timeout 7 s router",
        "Username r1-admin router",
        "Password set on the router router",
        'key_passphrase "********" router',
        "port 830 router",
    ]:
        assert shown in text, shown
    # No form of a credential: not the value, not the stored token.
    for secret in ("router-passphrase", "router-secret", ui_inventory.napalm_password.token):
        assert secret not in page
    # Folded by default.
    assert '<details class="napalm-arguments">' in page


@override_settings(NAPALM_USERNAME="", NAPALM_PASSWORD="", NAPALM_ARGS={})
def test_nothing_set_anywhere_says_none(viewer_client, ui_inventory) -> None:
    ui_inventory.napalm_password = None
    ui_inventory.save()
    text = _page(viewer_client, ui_inventory)
    assert "Username — none" in text
    assert "Password none none" in text


@pytest.mark.parametrize("configured", [None, 0])
def test_without_a_timeout_setting_the_default_is_30_seconds(
    viewer_client, ui_inventory, settings, configured
) -> None:
    if configured is None:
        del settings.NAPALM_TIMEOUT
    else:
        settings.NAPALM_TIMEOUT = configured
    assert "Timeout 30 s default" in _page(viewer_client, ui_inventory)
    assert driver_settings(ui_inventory).timeout == 30


@override_settings(NAPALM_TIMEOUT=45, NAPALM_ARGS={"port": 2222, "transport": "ssh"})
def test_the_page_shows_what_a_connection_uses(viewer_client, ui_inventory) -> None:
    ui_inventory.platform.napalm_args = {"transport": "telnet"}
    ui_inventory.platform.save()
    ui_inventory.napalm_args = {"port": 830}
    ui_inventory.save()
    used = driver_settings(ui_inventory)
    text = _page(viewer_client, ui_inventory)
    assert (used.timeout, used.optional_args) == (45, {"port": 830, "transport": "telnet"})
    assert f"Timeout {used.timeout} s" in text
    assert 'port 830 router transport "telnet" platform' in text
