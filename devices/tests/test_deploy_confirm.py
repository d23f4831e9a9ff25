"""The router page's Deploy: the diff first, then "Commit this change" commits exactly
that diff (its fingerprint travels with the deploy job), or nothing.

The router is on NAPALM's `mock` driver (peerkeeper.testing.mock_router); jobs run in
this process (core.job_runner.run).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from core.choices import JobStatus
from core.job_runner import run
from core.models import Job
from core.tests.html import visible_text
from devices.models import Router
from peerkeeper.testing import mock_answers, mock_router

DIFF = "+router bgp 64500\n+ neighbor 192.0.2.11 remote-as 64501"
# Committing raises: a deployment that committed would fail "configuration rejected".
REFUSE_COMMIT = {"exception": "napalm.base.exceptions.CommitError", "args": ["was committed"]}


@pytest.fixture
def deployer(make_user) -> Client:
    client = Client()
    client.force_login(make_user("devices.deploy_router", username="deployer"))
    return client


@pytest.fixture
def m1(db, tmp_path: Path) -> Router:
    return mock_router(
        tmp_path / "m1",
        {
            "load_merge_candidate": {},
            "discard_config": {},
            "commit_config": {},
            "compare_config": {"diff": DIFF},
        },
    )


def _answer(router: Router, answers: dict) -> None:
    """From now on the router answers `answers` too (another diff, a refused commit)."""
    mock_answers(Path(router.napalm_args["path"]), answers)


def _run(job: Job) -> Job:
    run(str(job.pk))
    return Job.objects.get(pk=job.pk)


def _diff_panel(client: Client, router: Router) -> tuple[Job, str]:
    """Press Deploy, run the diff it starts; the finished diff job and its panel."""
    client.post(reverse("devices:router_deploy", args=[router.pk]), HTTP_HX_REQUEST="true")
    job = _run(Job.objects.get(kind="deploy_dry_run"))
    assert job.status == JobStatus.COMPLETED, job.error
    panel = client.get(reverse("core:job_status", args=[job.pk])).content.decode()
    return job, panel


def _confirm(client: Client, router: Router, diff_job: Job):
    url = reverse("devices:router_deploy_confirm", args=[router.pk])
    return client.post(url, {"diff_job": str(diff_job.pk)}, HTTP_HX_REQUEST="true")


def test_deploy_shows_the_diff_and_commit_commits_exactly_it(deployer, m1) -> None:
    page = visible_text(deployer.get(f"/devices/routers/{m1.pk}/"))
    assert "Ping Configuration Diff Poll sessions Deploy…" in page

    diff_job, panel = _diff_panel(deployer, m1)
    assert diff_job.arguments == {"offer_commit": True}
    assert "+ neighbor 192.0.2.11 remote-as 64501" in panel
    assert not Job.objects.filter(kind="deploy").exists()  # nothing committed by Deploy
    assert ">Commit this change</button>" in panel
    assert ">Cancel</button>" in panel
    # Cancel first, the commit last and apart: never between two harmless buttons.
    buttons = re.findall(r"<button[^>]*>([^<]*)</button>", panel)
    assert buttons == ["Cancel", "Commit this change"]

    response = _confirm(deployer, m1, diff_job)
    assert response.status_code == 200
    deploy = Job.objects.get(kind="deploy")
    expected = hashlib.sha256(DIFF.encode()).hexdigest()
    assert deploy.arguments == {"commit_check": True, "replace": False, "expected_diff": expected}
    assert f'id="job-{deploy.pk}"' in response.content.decode()

    deploy = _run(deploy)
    assert deploy.status == JobStatus.COMPLETED, deploy.error
    assert (deploy.result["status"], deploy.result["committed"]) == ("changed", True)


def test_a_diff_that_changed_since_it_was_confirmed_is_not_committed(deployer, m1) -> None:
    diff_job, _ = _diff_panel(deployer, m1)
    # Between the diff and the confirmation the candidate changed; committing would fail.
    _answer(m1, {"compare_config": {"diff": DIFF + "\n+ neighbor 192.0.2.99 remote-as 64599"}})
    _answer(m1, {"commit_config": REFUSE_COMMIT})
    assert _confirm(deployer, m1, diff_job).status_code == 200
    deploy = _run(Job.objects.get(kind="deploy"))
    assert deploy.status == JobStatus.FAILED
    assert deploy.result["category"] == "diff changed"
    assert deploy.result["committed"] is False
    assert deploy.error.startswith("The configuration changed since the diff you confirmed (")
    assert deploy.error.endswith("; nothing was committed; review the new diff.")
    panel = deployer.get(reverse("core:job_status", args=[deploy.pk])).content.decode()
    assert "neighbor 192.0.2.99 remote-as 64599" in panel  # the new diff, to review
    assert "Commit this change" not in panel


def test_an_empty_diff_confirmed_commits_nothing(deployer, m1) -> None:
    _answer(m1, {"compare_config": {"diff": ""}, "commit_config": REFUSE_COMMIT})
    diff_job, panel = _diff_panel(deployer, m1)
    assert "Nothing to change on m1" in panel
    assert _confirm(deployer, m1, diff_job).status_code == 200
    deploy = _run(Job.objects.get(kind="deploy"))
    assert deploy.status == JobStatus.COMPLETED, deploy.error
    assert (deploy.result["status"], deploy.result["committed"]) == ("unchanged", False)


def test_the_diff_button_and_viewers_get_no_commit_button(viewer_client, deployer, m1) -> None:
    viewer_client.post(reverse("devices:router_diff", args=[m1.pk]), HTTP_HX_REQUEST="true")
    job = _run(Job.objects.get(kind="deploy_dry_run"))
    panel = deployer.get(reverse("core:job_status", args=[job.pk])).content.decode()
    assert "+router bgp 64500" in panel
    assert "Commit this change" not in panel

    # Confirming needs the right to deploy, whoever started the diff.
    assert _confirm(viewer_client, m1, job).status_code == 403
    assert viewer_client.post(reverse("devices:router_deploy", args=[m1.pk])).status_code == 403
    assert not Job.objects.filter(kind="deploy").exists()


def test_confirming_what_is_not_a_finished_diff_of_the_router_queues_nothing(
    deployer, m1, tmp_path
) -> None:
    other = mock_router(tmp_path / "m2", {}, name="m2")
    diff_job, _ = _diff_panel(deployer, m1)
    pending = Job.objects.create(kind="deploy_dry_run", target=m1, user=diff_job.user)
    for router, job_id, sentence in [
        (other, str(diff_job.pk), "There is no diff of m2 to confirm: run Deploy again."),
        (m1, "not-a-uuid", "There is no diff of m1 to confirm: run Deploy again."),
        (m1, str(pending.pk), "The diff of m1 did not complete: nothing to confirm."),
    ]:
        url = reverse("devices:router_deploy_confirm", args=[router.pk])
        response = deployer.post(url, {"diff_job": job_id}, HTTP_HX_REQUEST="true")
        assert response.status_code == 400
        assert sentence in visible_text(response)
    assert not Job.objects.filter(kind="deploy").exists()
