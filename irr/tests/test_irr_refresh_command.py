"""`manage.py irr_refresh` and the refresh job, against a real IRRd."""

from __future__ import annotations

import json

import pytest

from core.choices import JobStatus
from core.job_runner import run
from core.models import Job
from irr.models import PrefixList
from irr.testing import CLOSED_IRR_HOST
from peering.models import AutonomousSystem
from peerkeeper.testing import run_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def peers(db) -> None:
    AutonomousSystem.objects.create(asn=64501, name="Peer One", irr_as_set="AS-PEERONE")
    AutonomousSystem.objects.create(asn=64504, name="Transit Four", irr_as_set="AS-TRANSITFOUR")


def test_the_command_prints_a_line_per_as_set_and_a_summary(local_irr, peers) -> None:
    status, out, err = run_command("irr_refresh")

    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "AS64501 AS-PEERONE: 3 IPv4 and 2 IPv6 entries, 2 ASNs (changed)",
        "AS64504 AS-TRANSITFOUR: 2 IPv4 and 0 IPv6 entries, 1 ASN (changed)",
        "2 AS-sets: 2 refreshed, 0 failed, 0 skipped; 2 changed",
    ]


def test_a_failure_is_one_line_and_exit_status_1(local_irr, peers) -> None:
    AutonomousSystem.objects.filter(asn=64504).update(irr_as_set="AS-NOSUCHSET")

    status, out, err = run_command("irr_refresh", "--as", "AS64501,64504")

    assert status == 1
    assert out.splitlines()[1:] == [
        "AS64504 AS-NOSUCHSET: failed (input error): AS-NOSUCHSET was not found in the IRR at "
        f"{local_irr.address} (sources PEERKEEPER), or has no members: there is no previous list",
        "2 AS-sets: 1 refreshed, 1 failed, 0 skipped; 1 changed",
    ]
    assert err.strip() == "1 of 2 AS-sets failed."


def test_json_output(local_irr, peers) -> None:
    status, out, _ = run_command("irr_refresh", "--as", "64504", "--json")

    data = json.loads(out)
    assert status == 0 and data["ok"] is True
    [result] = data["results"]
    assert result["as_set"] == "AS-TRANSITFOUR" and result["asns"] == [64504]
    assert (result["ipv4"], result["ipv6"], result["origins"]) == (2, 0, 1)
    assert result["status"] == "refreshed" and result["fetched_at"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as", "64599"), "No autonomous system AS64599 in the inventory."),
        (("--as", "sixty"), "'sixty' is not an AS number (64501 or AS64501)."),
        (("--as", "AS6450\uff11"), "'AS6450\uff11' is not an AS number (64501 or AS64501)."),
        (
            ("--as", "\u096c\u096a\u096b\u0966\u0967"),
            "'\u096c\u096a\u096b\u0966\u0967' is not an AS number (64501 or AS64501).",
        ),
        (("--repeat-every", "60"), "--repeat-every repeats a background job: add --tasks."),
        (("--tasks", "--as", "64599"), "No autonomous system AS64599 in the inventory."),
    ],
)
def test_wrong_arguments_are_one_line(peers, args, message) -> None:
    status, out, err = run_command("irr_refresh", *args)
    assert (status, out, err.strip()) == (1, "", message)
    assert not Job.objects.exists() and not PrefixList.objects.exists()


def test_tasks_queue_a_repeating_job_that_refreshes(local_irr, peers) -> None:
    status, out, _ = run_command(
        "irr_refresh", "--tasks", "--as", "64501", "--repeat-every", "3600"
    )
    job = Job.objects.get()
    assert status == 0
    assert out.strip() == (
        f"Queued job {job.pk} (IRR prefix list refresh, repeating every 3600 s)."
    )
    assert (job.kind, job.arguments, job.repeat_every) == ("irr_refresh", {"asns": "64501"}, 3600)

    run(str(job.pk))

    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, job.error
    assert job.output.splitlines()[0] == (
        "AS64501 AS-PEERONE: 3 IPv4 and 2 IPv6 entries, 2 ASNs (changed)"
    )
    assert PrefixList.objects.get().asns == [64501, 64511]
    assert Job.objects.filter(repeat_of=job).exists()  # its next run is queued


def test_a_job_whose_irr_is_unreachable_fails_with_one_line_per_as_set(
    local_irr, peers, settings
) -> None:
    settings.IRR_HOST = CLOSED_IRR_HOST
    assert run_command("irr_refresh", "--tasks")[0] == 0
    job = Job.objects.get()

    run(str(job.pk))

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.splitlines() == [
        f"AS64501 AS-PEERONE: the IRR server {CLOSED_IRR_HOST} is unreachable: connection "
        "refused: there is no previous list",
        f"AS64504 AS-TRANSITFOUR: the IRR server {CLOSED_IRR_HOST} is unreachable: "
        "connection refused: there is no previous list",
    ]
