import io
import re
import time
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from configs.models import ConfigTemplate
from core.choices import JobStatus
from core.models import Job
from devices.connectivity import ping_routers
from devices.models import Router
from lab import Lab
from lab.guard import leaves_machine
from peering.demo import IXP_SESSIONS, first_poll
from peering.models import (
    AutonomousSystem,
    DirectPeeringSession,
    InternetExchangePeeringSession,
)


def _counts() -> dict[str, int]:
    models = [
        AutonomousSystem,
        Router,
        ConfigTemplate,
        DirectPeeringSession,
        InternetExchangePeeringSession,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_inventory_matches_the_lab(db) -> None:
    call_command("load_demo", stdout=io.StringIO())
    router = Router.objects.get(name="r1")
    # As root, load_demo first makes sure the lab's address stays on this machine.
    assert router.hostname == ("127.0.0.1" if leaves_machine("198.18.0.11") else "198.18.0.11")
    assert router.platform.napalm_driver == "frr"
    assert router.local_autonomous_system.asn == 64500
    assert router.config_template is not None
    ixp_peers = sorted(
        InternetExchangePeeringSession.objects.values_list("autonomous_system__asn", "ip_address")
    )
    assert ixp_peers == [
        (64501, "192.0.2.11"),
        (64501, "2001:db8:1::11"),
        (64502, "192.0.2.12"),
        (64503, "192.0.2.13"),
        (64503, "2001:db8:1::13"),
    ]
    direct = DirectPeeringSession.objects.get()
    assert (direct.autonomous_system.asn, direct.ip_address, direct.bgp_group.slug) == (
        64504,
        "198.51.100.1",
        "transit",
    )
    for model in (InternetExchangePeeringSession, DirectPeeringSession):
        for session in model.objects.all():
            session.full_clean()


def test_loading_the_demo_twice_creates_nothing_more(db, capsys) -> None:
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert "already loaded" in capsys.readouterr().out


def test_loading_the_demo_keeps_a_users_changes(db) -> None:
    call_command("load_demo", stdout=io.StringIO())
    AutonomousSystem.objects.filter(asn=64501).update(ipv4_max_prefixes=250)
    call_command("load_demo", stdout=io.StringIO())
    assert AutonomousSystem.objects.get(asn=64501).ipv4_max_prefixes == 250


def _load_demo(*args: str, **options) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, **options)
    return out.getvalue()


def test_the_admin_password_is_made_once_and_then_left_alone(db) -> None:
    first = _load_demo("--admin")
    (line,) = [line for line in first.splitlines() if line.startswith("Log in as admin")]
    password = line.split()[6]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)

    again = _load_demo("--admin")

    assert password not in again
    assert (
        "The admin password is unchanged (shown when it was created); to reset it: "
        ".venv/bin/python manage.py changepassword admin" in again.splitlines()
    )
    admin.refresh_from_db()
    assert admin.check_password(password)


def test_with_the_lab_down_pinging_the_demos_r1_says_unreachable_at_once(
    db, spare_lab: Lab
) -> None:
    _load_demo(lab_instance=spare_lab.instance)
    router = Router.objects.get(name="r1")
    assert router.hostname == spare_lab.router("r1").mgmt_address

    started = time.monotonic()
    (result,) = ping_routers([router])
    elapsed = time.monotonic() - started

    assert (result.ok, result.category) == (False, "unreachable")
    assert "No route to host" in (result.error or "")
    # Refused by this machine's routing table: no packet, no waiting for an answer (a
    # connection timeout would take NAPALM_TIMEOUT); 2 s leaves room for a loaded machine.
    assert elapsed < 2.0


def test_where_the_lab_address_could_leave_the_machine_r1_points_at_loopback(
    db, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A machine without the lab's unreachable routes (no root to install them).
    monkeypatch.setattr("lab.guard.leaves_machine", lambda address: True)

    _load_demo()
    router = Router.objects.get(name="r1")

    assert (router.hostname, router.napalm_args["port"]) == ("127.0.0.1", 1)
    assert "closed port" in router.description
    (result,) = ping_routers([router])
    assert (result.ok, result.category) == (False, "unreachable")
    assert "refused" in (result.error or "").lower()

    monkeypatch.undo()  # the routes are back (or the lab is up): r1 goes back to the lab
    if leaves_machine("198.18.0.11"):
        return  # not root here: nothing can make the lab's address local
    output = _load_demo()
    router.refresh_from_db()
    assert router.hostname == "198.18.0.11"
    assert "port" not in router.napalm_args
    assert (
        "changed router r1 now points at 198.18.0.11, the r1 of lab instance 0 "
        f"(its files in {Lab(0).state_dir})" in output.splitlines()
    )


def test_the_demos_r1_follows_the_lab_instance_the_demo_runs_on(
    db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lab's addresses stay on this machine (as root, the unreachable routes see to
    # that); the state directories are this test's own.
    monkeypatch.setattr("lab.guard.leaves_machine", lambda address: False)
    monkeypatch.setenv("PEERKEEPER_LAB_DIR", str(tmp_path / "labs"))
    _load_demo(lab_instance=7)
    router = Router.objects.get(name="r1")
    assert router.hostname == "198.18.7.11"
    assert router.napalm_args == Lab(7).napalm_params("r1")["optional_args"]
    # What the user changed stays: other objects, and r1's arguments of their own.
    AutonomousSystem.objects.filter(asn=64501).update(ipv4_max_prefixes=250)
    router.napalm_args = {**router.napalm_args, "ssh_config_file": "/etc/ssh/demo_config"}
    router.save()
    before = _counts()

    output = _load_demo(lab_instance=9)

    router.refresh_from_db()
    assert output.splitlines() == [
        "changed router r1 now points at 198.18.9.11, the r1 of lab instance 9 "
        f"(its files in {tmp_path / 'labs' / '9'})"
    ]
    assert router.hostname == "198.18.9.11"
    assert router.napalm_args == {
        **Lab(9).napalm_params("r1")["optional_args"],
        "ssh_config_file": "/etc/ssh/demo_config",
    }
    assert router.napalm_args["key_file"] == str(tmp_path / "labs" / "9" / "id_ed25519")
    assert router.description == "The lab's FRR router"
    assert AutonomousSystem.objects.get(asn=64501).ipv4_max_prefixes == 250
    assert _counts() == before
    assert "already loaded" in _load_demo(lab_instance=9)

    # The same instance from another state directory (another checkout, another
    # PEERKEEPER_LAB_DIR): r1 takes that lab's key and sockets.
    monkeypatch.setenv("PEERKEEPER_LAB_DIR", str(tmp_path / "other-labs"))
    output = _load_demo(lab_instance=9)
    router.refresh_from_db()
    assert output.splitlines() == [
        "changed router r1 now points at 198.18.9.11, the r1 of lab instance 9 "
        f"(its files in {tmp_path / 'other-labs' / '9'})"
    ]
    assert router.napalm_args["vty_socket"] == str(tmp_path / "other-labs" / "9" / "r1" / "vty")


def test_a_router_r1_the_user_pointed_elsewhere_is_left_alone(
    db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("lab.guard.leaves_machine", lambda address: False)
    monkeypatch.setenv("PEERKEEPER_LAB_DIR", str(tmp_path / "labs"))
    _load_demo(lab_instance=7)
    Router.objects.filter(name="r1").update(hostname="r1.example.net", napalm_args={})

    output = _load_demo(lab_instance=9)

    router = Router.objects.get(name="r1")
    assert (router.hostname, router.napalm_args) == ("r1.example.net", {})
    assert "already loaded" in output


def _row_text(html: str, address: str) -> str:
    """The visible text of the table row that shows `address`."""
    rows = [row for row in html.split("<tr")[1:] if f">{address}<" in row]
    assert len(rows) == 1, f"{address}: {len(rows)} rows"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", rows[0].split("</tr>")[0])))


def test_the_demo_opens_with_the_sessions_polled_from_the_lab(
    db, clean_lab: Lab, viewer_client
) -> None:
    _load_demo(lab_instance=clean_lab.instance)
    line = first_poll(clean_lab.instance)
    # p3 is not on the lab's r1 until a deployment adds it.
    assert line == (
        "First poll: r1: 6 sessions, 4 neighbours seen, 6 updated, 4 state changes, "
        "2 not configured on the router"
    )

    # Nobody pressed anything: the sessions page shows what the router has.
    html = viewer_client.get("/peering/ixp-sessions/").content.decode()
    up = clean_lab.wait_established("r1", timeout=1, prefixes=True)
    ixp_peers = {address for _, address in IXP_SESSIONS}
    shown = [session for session in up if session["neighbour"] in ixp_peers]
    assert {session["neighbour"] for session in shown} >= {"192.0.2.11", "192.0.2.12"}
    for session in shown:
        row = _row_text(html, session["neighbour"])
        count = f"{session['prefixes_received']:,}"
        # The badge, how long it has been up ("for 12 s"), then the prefixes received.
        assert re.search(rf"Established (for [0-9dhmins ]+ )?{count} ", row), row
    # p3, which the lab's r1 does not have yet, says so rather than "unknown".
    assert "not on router" in _row_text(html, "192.0.2.13")
    # The first poll is on record like any other.
    job = Job.objects.get()
    assert (job.kind, job.status, job.origin, job.target_name) == (
        "poll",
        JobStatus.COMPLETED,
        "command",
        "r1",
    )


def test_with_the_lab_down_the_demo_starts_and_says_why_the_first_poll_failed(
    db, spare_lab: Lab
) -> None:
    _load_demo(lab_instance=spare_lab.instance)
    line = first_poll(spare_lab.instance, wait_s=1)
    assert line.startswith("The first poll of r1 failed (unreachable): Cannot reach r1"), line
    assert "\n" not in line
    states = set(InternetExchangePeeringSession.objects.values_list("bgp_state", flat=True))
    assert states == {None}  # nothing was read, nothing made up
