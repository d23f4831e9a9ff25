"""Ping (a NAPALM connection, not ICMP) against the lab's real router."""

import time

from devices.connectivity import ping
from devices.models import Router
from peerkeeper.testing import run_command


def test_ping_r1_is_reachable(demo_inventory) -> None:
    result = ping(demo_inventory)
    assert result.ok, result.error
    assert result.latency_ms > 0
    status, out, _ = run_command("ping_routers", "--limit", "r1")
    assert status == 0
    assert out.startswith("r1: reachable (")


def test_a_wrong_password_is_authentication_failed(demo_inventory) -> None:
    args = {k: v for k, v in demo_inventory.napalm_args.items() if k != "key_file"}
    Router.objects.filter(pk=demo_inventory.pk).update(napalm_args=args)
    router = Router.objects.select_related("platform").get(pk=demo_inventory.pk)
    router.napalm_password = "not-the-password"
    result = ping(router)
    assert (result.ok, result.category) == (False, "authentication failed")
    assert "Authentication failed on r1" in result.error


def test_an_address_nobody_answers_on_fails_within_the_timeout(demo_inventory, lab) -> None:
    # An unused address of the lab's own management LAN: nothing leaves the machine.
    unused = lab.router("r1").mgmt_address.rsplit(".", 1)[0] + ".99"
    router = Router.objects.select_related("platform").get(pk=demo_inventory.pk)
    router.hostname, router.napalm_timeout = unused, 3
    started = time.monotonic()
    result = ping(router)
    assert not result.ok
    assert result.category in {"unreachable", "timed out"}
    assert time.monotonic() - started < 3 * 3


def test_a_password_beside_the_key_file_still_reaches_the_router(demo_inventory) -> None:
    # The demo's key is not encrypted: the password is offered after it, not used to
    # decrypt it (which paramiko refused with "TypeError: password must be bytes").
    router = Router.objects.select_related("platform").get(pk=demo_inventory.pk)
    router.napalm_password = "some-ssh-password"
    router.save()
    status, out, err = run_command("ping_routers", "--limit", "r1")
    assert status == 0, out + err
    assert out.startswith("r1: reachable (")
    assert out.splitlines()[-1] == "1 router: 1 reachable, 0 failed, 0 skipped"
