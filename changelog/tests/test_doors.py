"""Every door records who changed the inventory and through which door: the pages, the
admin, commands (in this process and as cron runs them), background jobs, and whoever
calls `recording()` (the REST API)."""

from __future__ import annotations

import getpass

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser, User
from django.core.management import call_command
from django.test import Client

from changelog.context import Origin, current_recording, recording
from changelog.tests.recorded import entries, logged_in, who
from core.choices import JobStatus
from core.job_runner import run
from core.jobs import enqueue
from core.tests.builders import our_as, platform
from devices.models import Platform, Router
from peering.models import AutonomousSystem, BGPGroup
from peerkeeper.testing import manage_py, run_command

CREATED, CHANGED, DELETED = LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE
ROUTER_PERMISSIONS = ("devices.add_router", "devices.change_router", "devices.delete_router")


def _router_form(**changes: str) -> dict[str, str]:
    data = {
        "name": "r2",
        "hostname": "198.18.0.12",
        "platform": str(platform().pk),
        "status": "enabled",
        "local_autonomous_system": str(our_as().pk),
        "poll_bgp_sessions_state": "on",
        "napalm_username": "peerkeeper",
        "napalm_password": "",
        "napalm_args": "{}",
        "description": "Edge router",
    }
    data.update(changes)
    return data


def test_a_router_added_edited_and_deleted_on_its_pages_is_the_users(db, make_user) -> None:
    client = logged_in(make_user, *ROUTER_PERMISSIONS, username="alice")
    response = client.post("/devices/routers/add/", _router_form(napalm_password="first-pw"))
    assert response.status_code == 302
    router = Router.objects.get(name="r2")
    edit = f"/devices/routers/{router.pk}/edit/"
    assert client.post(edit, _router_form(status="maintenance")).status_code == 302
    assert (
        client.post(
            edit, _router_form(status="maintenance", napalm_password="second-pw")
        ).status_code
        == 302
    )
    assert client.post(f"/devices/routers/{router.pk}/delete/").status_code == 302

    created, maintenance, password, deleted = entries(Router, object_id=router.pk)
    assert [e.action for e in (created, maintenance, password, deleted)] == [
        CREATED,
        CHANGED,
        CHANGED,
        DELETED,
    ]
    assert {who(e) for e in (created, maintenance, password, deleted)} == {
        ("alice", "page", "alice")
    }
    assert created.changes["name"] == [None, "r2"]
    assert created.changes["platform"] == [None, "Platform frr"]  # named, not a number
    assert created.changes["napalm_password"] == [None, "changed"]
    assert maintenance.changes == {"status": ["enabled", "maintenance"]}
    assert password.changes == {"napalm_password": ["••••", "changed"]}
    assert deleted.changes["hostname"] == ["198.18.0.12", None]
    assert deleted.object_repr == "r2"


def test_saving_a_form_that_changes_nothing_records_nothing(db, make_user) -> None:
    client = logged_in(make_user, *ROUTER_PERMISSIONS, username="alice")
    client.post("/devices/routers/add/", _router_form(napalm_password="first-pw"))
    router = Router.objects.get(name="r2")
    # A blank password box keeps the stored password: nothing changes.
    assert client.post(f"/devices/routers/{router.pk}/edit/", _router_form()).status_code == 302
    assert [e.action for e in entries(Router)] == [CREATED]


def test_a_password_removed_on_the_page_is_recorded_as_removed(db, make_user) -> None:
    client = logged_in(make_user, *ROUTER_PERMISSIONS, username="alice")
    client.post("/devices/routers/add/", _router_form(napalm_password="first-pw"))
    router = Router.objects.get(name="r2")
    client.post(f"/devices/routers/{router.pk}/edit/", _router_form(napalm_password_remove="on"))
    assert entries(Router)[-1].changes == {"napalm_password": ["••••", None]}


def test_the_admin_is_its_own_door(db) -> None:
    admin = User.objects.create_superuser("root-admin", password="a-long-test-password")
    client = Client()
    client.force_login(admin)
    data = {"name": "EOS", "slug": "eos", "napalm_driver": "eos", "napalm_args": "{}"}
    assert client.post("/admin/devices/platform/add/", data).status_code == 302
    eos = Platform.objects.get(slug="eos")
    change = f"/admin/devices/platform/{eos.pk}/change/"
    assert client.post(change, {**data, "description": "Arista"}).status_code == 302
    assert client.post(
        f"/admin/devices/platform/{eos.pk}/delete/", {"post": "yes"}
    ).status_code == (302)

    recorded = entries(Platform, object_id=eos.pk)
    assert [e.action for e in recorded] == [CREATED, CHANGED, DELETED]
    assert {who(e) for e in recorded} == {("root-admin", "admin", "root-admin")}
    assert recorded[1].changes == {"description": ["", "Arista"]}


def test_a_command_records_the_os_user(db) -> None:
    call_command(
        "shell",
        command="from devices.models import Platform; "
        "p = Platform.objects.create(name='Shell', slug='shell'); "
        "p.description = 'typed in a shell'; p.save(); p.delete()",
    )
    recorded = entries(Platform)
    assert [e.action for e in recorded] == [CREATED, CHANGED, DELETED]
    assert {who(e) for e in recorded} == {(None, "command", getpass.getuser())}
    assert recorded[1].changes == {"description": ["", "typed in a shell"]}
    assert current_recording() is None  # the command's recording ended with it


def test_a_command_run_as_cron_runs_it_records_the_os_user(transactional_db) -> None:
    result = manage_py(
        "shell",
        "-c",
        "from peering.models import BGPGroup; BGPGroup.objects.create(name='Transit', "
        "slug='transit')",
    )
    assert result.returncode == 0, result.stderr
    [entry] = entries(BGPGroup)
    assert who(entry) == (None, "command", getpass.getuser())
    assert entry.changes == {"name": [None, "Transit"], "slug": [None, "transit"],
                             "status": [None, "enabled"]}  # fmt: skip


def test_a_job_records_its_user_and_itself(db, local_peeringdb, make_user) -> None:
    """A PeeringDB synchronisation renames an AS (a bulk update, recorded in bulk)."""
    alice = make_user(username="alice")
    system = AutonomousSystem.objects.create(asn=64501, name="Old name")
    job = enqueue("peeringdb_sync", user=alice)
    assert run(str(job.pk)) == JobStatus.COMPLETED
    [created, renamed] = entries(AutonomousSystem, object_id=system.pk)
    assert created.action == CREATED and who(created) == (None, None, None)
    assert renamed.changes["name"] == ["Old name", "Peer One"]
    assert who(renamed) == ("alice", "job", "alice")
    assert renamed.additional_data["job"] == str(job.pk)


def test_a_job_without_a_user_says_it_was_a_job(db, local_peeringdb) -> None:
    system = AutonomousSystem.objects.create(asn=64501, name="Old name")
    job = enqueue("peeringdb_sync")
    run(str(job.pk))
    renamed = entries(AutonomousSystem, object_id=system.pk, action=CHANGED)[0]
    assert who(renamed) == (None, "job", None)


def test_the_api_s_recording_names_its_user_and_door(db, make_user) -> None:
    bob = make_user(username="bob")
    with recording(user=bob, origin="api"):
        group = platform("api")
        group.description = "through the API"
        group.save()
        group.delete()
    assert {who(e) for e in entries(Platform)} == {("bob", "api", "bob")}
    assert [e.action for e in entries(Platform)] == [CREATED, CHANGED, DELETED]


def test_the_innermost_recording_wins_until_it_ends(db, make_user) -> None:
    bob = make_user(username="bob")
    with recording(user=bob, origin=Origin.API):
        with recording(origin=Origin.COMMAND, actor_name="cron"):
            platform("inner")
        platform("outer")
        # A command called inside another door keeps that door.
        run_command("shell", "-c", "from core.tests.builders import platform; platform('cmd')")
    names = {e.object_repr: who(e) for e in entries(Platform)}
    assert names == {
        "Platform inner": (None, "command", "cron"),
        "Platform outer": ("bob", "api", "bob"),
        "Platform cmd": ("bob", "api", "bob"),
    }


def test_an_unknown_origin_is_refused(db) -> None:
    with pytest.raises(ValueError, match="Unknown origin 'cli'"), recording(origin="cli"):
        pass


def test_an_anonymous_user_is_no_one(db) -> None:
    with recording(user=AnonymousUser(), origin="api"):
        platform("anon")
    [entry] = entries(Platform)
    assert who(entry) == (None, "api", None)
