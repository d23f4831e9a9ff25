"""`POST /api/peeringdb/sync/`: a synchronisation job, as `peeringdb_sync --tasks` queues
one, for whoever may change autonomous systems."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from core.choices import JobStatus
from core.job_runner import run
from core.models import Job
from core.tests.api_checks import assert_documented, token_client
from peering.models import AutonomousSystem
from peeringdb.models import Network
from peerkeeper.testing import run_command

SYNC = "/api/peeringdb/sync/"
CHANGE_AS = "peering.change_autonomoussystem"


@pytest.fixture
def syncer(make_user):
    return make_user(CHANGE_AS, username="syncer", view_all=False)


def test_a_dry_run_is_queued_and_read_back_as_a_job_writing_nothing(
    local_peeringdb, syncer
) -> None:
    AutonomousSystem.objects.create(asn=64501, name="Peer One", ipv4_max_prefixes=100)
    client = token_client(syncer)
    response = client.post(SYNC, {"full": True, "dry_run": True}, format="json")
    assert response.status_code == 202, response.json()
    assert_documented(response)
    job = Job.objects.get()
    assert (job.kind, job.target, job.user, job.arguments) == (
        "peeringdb_sync",
        None,
        syncer,
        {"full": True, "dry_run": True},
    )
    assert response.json()["target"] is None
    run(str(job.pk))
    done = client.get(response["Location"]).json()
    assert done["status"] == "completed", done["error"]
    assert "Dry run: what a synchronisation would change; nothing was written." in done["output"]
    assert done["result"]["dry_run"] is True
    assert not Network.objects.exists()


def test_a_synchronisation_writes_the_mirror(local_peeringdb, syncer) -> None:
    response = token_client(syncer).post(SYNC, format="json")
    assert response.status_code == 202
    job = Job.objects.get()
    assert job.arguments == {}
    run(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, job.error
    assert Network.objects.exists()


def test_bad_arguments_are_a_400_and_queue_nothing(syncer) -> None:
    client = token_client(syncer)
    for body, sentence in [
        ({"full": "yes"}, "full must be true or false."),
        (
            {"from_directory": "/tmp"},
            "A PeeringDB synchronisation job does not take from_directory.",
        ),
        (
            {"repeat_every": -5},
            "repeat_every must be a whole number of seconds, from 1 to 31622400.",
        ),
    ]:
        response = client.post(SYNC, body, format="json")
        assert (response.status_code, response.json()) == (400, {"detail": sentence})
    assert not Job.objects.exists()


def test_a_repeating_synchronisation(syncer) -> None:
    response = token_client(syncer).post(SYNC, {"repeat_every": 3600}, format="json")
    assert response.status_code == 202
    assert Job.objects.get().repeat_every == 3600


def test_it_needs_the_permission_to_change_ases_and_a_token_that_writes(syncer, make_user) -> None:
    viewer = make_user(username="viewer")  # may view everything, change nothing
    refused = token_client(viewer).post(SYNC, format="json")
    assert refused.status_code == 403
    assert_documented(refused)
    assert refused.json() == {"detail": f"This needs the permission {CHANGE_AS}."}
    read_only = token_client(syncer, write_enabled=False).post(SYNC, format="json")
    assert (read_only.status_code, read_only.json()) == (
        403,
        {"detail": "This token is read-only."},
    )
    assert APIClient().post(SYNC, format="json").status_code == 401
    # Nothing to read here: the job is read at /api/core/jobs/.
    assert token_client(syncer).get(SYNC).status_code == 405
    assert not Job.objects.exists()


def test_the_command_queues_a_dry_run_too(db) -> None:
    status, out, _ = run_command("peeringdb_sync", "--tasks", "--dry-run")
    assert status == 0
    assert re.fullmatch(r"Queued job \S+ \(PeeringDB synchronisation\)\.\n", out)
    assert Job.objects.get().arguments == {"full": False, "dry_run": True}
    status, _, err = run_command("peeringdb_sync", "--tasks", "--from-directory", "/tmp")
    assert (status, err) == (1, "--from-directory runs here: drop --tasks.")


def test_a_browser_sees_the_form_that_starts_it(admin_client) -> None:
    page = admin_client.get(SYNC, HTTP_ACCEPT="text/html")
    assert page.status_code == 405  # nothing to list: the form posts the job's arguments
    assert "dry_run" in page.content.decode()
    assert not Job.objects.exists()
