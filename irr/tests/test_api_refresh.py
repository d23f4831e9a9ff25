"""`POST /api/irr/refresh/`: a prefix list refresh job, as `irr_refresh --tasks --as`
queues one, for whoever may change autonomous systems."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.job_runner import run
from core.models import Job
from core.tests.api_checks import assert_documented, token_client
from irr.models import PrefixList
from peering.models import AutonomousSystem

REFRESH = "/api/irr/refresh/"
CHANGE_AS = "peering.change_autonomoussystem"


@pytest.fixture
def peers(db) -> None:
    AutonomousSystem.objects.create(asn=64501, name="Peer One", irr_as_set="AS-PEERONE")
    AutonomousSystem.objects.create(asn=64504, name="Transit Four", irr_as_set="AS-TRANSITFOUR")


@pytest.fixture
def refresher(make_user):
    return make_user(CHANGE_AS, username="refresher", view_all=False)


def test_the_named_ases_are_refreshed_by_the_job(local_irr, peers, refresher) -> None:
    client = token_client(refresher)
    response = client.post(REFRESH, {"asns": [64501]}, format="json")
    assert response.status_code == 202, response.json()
    assert_documented(response)
    job = Job.objects.get()
    assert (job.kind, job.target, job.user, job.arguments) == (
        "irr_refresh",
        None,
        refresher,
        {"asns": "64501"},
    )
    run(str(job.pk))
    done = client.get(response["Location"]).json()
    assert done["status"] == "completed", done["error"]
    assert "AS64501 AS-PEERONE: 3 IPv4 and 2 IPv6 entries, 2 ASNs (changed)" in done["output"]
    assert list(PrefixList.objects.values_list("as_set", flat=True)) == ["AS-PEERONE"]


def test_without_asns_every_as_is_refreshed_as_by_the_command(peers, refresher) -> None:
    response = token_client(refresher).post(REFRESH, {"repeat_every": 86400}, format="json")
    assert response.status_code == 202
    job = Job.objects.get()
    assert (job.arguments, job.repeat_every) == ({}, 86400)


def test_asns_are_read_as_the_command_reads_them(peers, refresher) -> None:
    response = token_client(refresher).post(
        REFRESH, {"asns": ["AS64504", "64501", 64504]}, format="json"
    )
    assert response.status_code == 202
    assert Job.objects.get().arguments == {"asns": "64504,64501,64504"}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"asns": [64599]}, {"detail": "No autonomous system AS64599 in the inventory."}),
        ({"asns": ["AS-PEERONE"]}, {"asns": {"0": ["'AS-PEERONE' is not an AS number."]}}),
        ({"asns": []}, {"asns": ["This list may not be empty."]}),
        ({"asns": "64501"}, {"asns": ["Expected a list, got a string."]}),
        ({"as": [64501]}, {"non_field_errors": ["Unknown field: as."]}),
        (
            {"repeat_every": 0},
            {"detail": "repeat_every must be a whole number of seconds, from 1 to 31622400."},
        ),
    ],
)
def test_a_bad_body_is_a_400_and_queues_nothing(peers, refresher, body, error) -> None:
    response = token_client(refresher).post(REFRESH, body, format="json")
    assert (response.status_code, response.json()) == (400, error)
    assert_documented(response)
    assert not Job.objects.exists()


def test_it_needs_the_permission_to_change_ases_and_a_token_that_writes(
    peers, refresher, make_user
) -> None:
    viewer = make_user(username="viewer")
    refused = token_client(viewer).post(REFRESH, format="json")
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": f"This needs the permission {CHANGE_AS}."},
    )
    read_only = token_client(refresher, write_enabled=False).post(REFRESH, format="json")
    assert read_only.status_code == 403
    assert APIClient().post(REFRESH, format="json").status_code == 401
    assert not Job.objects.exists()


def test_a_browser_sees_the_form_that_starts_it(admin_client) -> None:
    page = admin_client.get(REFRESH, HTTP_ACCEPT="text/html")
    assert page.status_code == 405
    assert "repeat_every" in page.content.decode()
    assert not Job.objects.exists()
