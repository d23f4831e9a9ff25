"""A router's actions in the API: each starts the job its page's button starts, with the
page's permission, answers 202 with the job, and refuses what the job type refuses."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from configs.models import ConfigTemplate
from core.choices import JobStatus
from core.models import Job
from core.tests.api_checks import assert_documented, token_client
from devices.models import Router

ACTIONS = [("ping", "ping"), ("render", "render"), ("diff", "deploy_dry_run"), ("poll", "poll")]


@pytest.fixture
def viewer(make_user):
    return make_user("devices.view_router", username="viewer", view_all=False)


@pytest.fixture
def deployer(make_user):
    return make_user("devices.deploy_router", username="deployer", view_all=False)


def _url(router: Router, action: str) -> str:
    return f"/api/devices/routers/{router.pk}/{action}/"


@pytest.mark.parametrize(("action", "kind"), ACTIONS)
def test_an_action_starts_the_pages_job_and_answers_202_with_it(
    ui_inventory, viewer, action, kind
) -> None:
    client = token_client(viewer)
    assert client.get(_url(ui_inventory, action)).status_code == 405
    response = client.post(_url(ui_inventory, action), format="json")
    assert response.status_code == 202, response.json()
    assert_documented(response)
    job = Job.objects.get()
    assert (job.kind, job.target, job.status, job.user) == (
        kind,
        ui_inventory,
        JobStatus.PENDING,
        viewer,
    )
    data = response.json()
    assert data["id"] == str(job.pk)
    assert response["Location"] == data["url"] == f"http://testserver/api/core/jobs/{job.pk}/"
    assert type(response.headers["Location"]) is str  # what a WSGI server accepts
    assert (data["status"], data["ok"], data["target"]["name"]) == ("pending", None, "r1")
    # The job is read where the Location says, by whoever started it.
    assert client.get(response["Location"]).json()["id"] == str(job.pk)


def test_deploying_needs_the_deploy_permission_as_on_the_page(
    ui_inventory, viewer, deployer
) -> None:
    refused = token_client(viewer).post(_url(ui_inventory, "deploy"), format="json")
    assert refused.status_code == 403
    assert_documented(refused)
    assert refused.json() == {"detail": "This needs the permission devices.deploy_router."}
    assert not Job.objects.exists()

    response = token_client(deployer).post(_url(ui_inventory, "deploy"), format="json")
    assert response.status_code == 202
    job = Job.objects.get()
    # As the page's button: compared first.
    assert (job.kind, job.arguments, job.user) == ("deploy", {"commit_check": True}, deployer)


def test_a_deploy_takes_the_arguments_its_job_takes(ui_inventory, deployer) -> None:
    client = token_client(deployer)
    body = {"commit_check": False, "replace": True, "commit_confirm": 30}
    response = client.post(_url(ui_inventory, "deploy"), body, format="json")
    assert response.status_code == 202
    assert Job.objects.get().arguments == body
    assert response.json()["arguments"] == body


def test_a_deploy_takes_the_confirmed_diffs_fingerprint(ui_inventory, deployer) -> None:
    body = {"expected_diff": "ab" * 32}
    response = token_client(deployer).post(_url(ui_inventory, "deploy"), body, format="json")
    assert response.status_code == 202
    assert Job.objects.get().arguments == {"commit_check": True, **body}


@pytest.mark.parametrize(
    ("action", "body", "sentence"),
    [
        ("deploy", {"commit_confirm": 2}, "commit_confirm must be at least 5 seconds."),
        ("deploy", {"commit_check": "yes"}, "commit_check must be true or false."),
        ("deploy", {"commit_confirm": True}, "commit_confirm must be a whole number."),
        ("deploy", {"dry_run": True}, "A Deploy configuration job does not take dry_run."),
        (
            "deploy",
            {"expected_diff": "ABC"},
            "expected_diff must be the confirmed diff's SHA-256, 64 lowercase hex digits "
            "(a diff job's diff_sha256).",
        ),
        (
            "deploy",
            {"expected_diff": "0" * 64, "commit_check": False},
            "A confirmed diff is checked by comparing: drop --no-commit-check "
            "(commit_check false).",
        ),
        ("ping", {"commit_check": True}, "A Ping job does not take commit_check."),
        ("diff", {"replace": 1}, "replace must be true or false."),
        (
            "poll",
            {"repeat_every": 0},
            "repeat_every must be a whole number of seconds, from 1 to 31622400.",
        ),
        ("poll", [1, 2], "The body must be a JSON object."),
    ],
)
def test_an_argument_the_job_refuses_is_a_400_and_starts_nothing(
    ui_inventory, deployer, make_user, action, body, sentence
) -> None:
    user = make_user("devices.view_router", "devices.deploy_router", view_all=False)
    response = token_client(user).post(_url(ui_inventory, action), body, format="json")
    assert response.status_code == 400
    assert_documented(response)
    assert response.json() == {"detail": sentence}
    assert not Job.objects.exists()


def test_a_form_body_is_refused_the_api_takes_json(ui_inventory, viewer) -> None:
    response = token_client(viewer).post(_url(ui_inventory, "ping"), {"x": "1"})
    assert response.status_code == 415
    assert not Job.objects.exists()


def test_a_job_can_repeat_as_with_a_commands_repeat_every(ui_inventory, viewer) -> None:
    response = token_client(viewer).post(
        _url(ui_inventory, "poll"), {"repeat_every": 300}, format="json"
    )
    assert response.status_code == 202
    job = Job.objects.get()
    assert (job.kind, job.repeat_every, job.arguments) == ("poll", 300, {})
    assert response.json()["repeat_every"] == 300


def test_no_token_401_read_only_token_403_no_permission_403(ui_inventory, viewer, make_user):
    for action, _ in [*ACTIONS, ("deploy", "deploy")]:
        url = _url(ui_inventory, action)
        anonymous = APIClient().post(url, format="json")
        assert anonymous.status_code == 401
        assert_documented(anonymous)
        read_only = token_client(viewer, write_enabled=False).post(url, format="json")
        assert read_only.status_code == 403
        assert read_only.json() == {"detail": "This token is read-only."}
        nobody = make_user(username=f"nobody-{action}", view_all=False)
        assert token_client(nobody).post(url, format="json").status_code == 403
    assert not Job.objects.exists()


def test_an_unknown_router_is_a_404(ui_inventory, viewer) -> None:
    response = token_client(viewer).post("/api/devices/routers/999999/ping/", format="json")
    assert response.status_code == 404
    assert_documented(response)
    assert not Job.objects.exists()


def test_a_job_the_queue_cannot_take_is_a_503_and_kept_errored(
    ui_inventory, viewer, transactional_db, settings
) -> None:
    # RQ on a closed port of this machine: Redis is "down".
    settings.TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {settings.JOB_QUEUE: {"URL": "redis://127.0.0.1:9/0"}}
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [settings.JOB_QUEUE]}
    }
    response = token_client(viewer).post(_url(ui_inventory, "ping"), format="json")
    assert response.status_code == 503
    assert_documented(response)
    assert response.json()["detail"].startswith("The job could not be queued (rq backend): ")
    job = Job.objects.get()
    assert (job.status, job.error) == (JobStatus.ERRORED, response.json()["detail"])


def test_the_configuration_is_rendered_with_passwords_masked(ui_inventory, viewer) -> None:
    # Reading: a read-only token is enough.
    client = token_client(viewer, write_enabled=False)
    response = client.get(_url(ui_inventory, "configuration"))
    assert response.status_code == 200
    assert_documented(response)
    data = response.json()
    assert data["router"] == "r1"
    assert data["lines"] == len(data["configuration"].splitlines()) > 1
    assert "neighbor 192.0.2.11 remote-as 64501" in data["configuration"]
    assert "neighbor 192.0.2.11 password ********" in data["configuration"]
    assert "session-secret" not in response.content.decode()
    assert not Job.objects.exists()


def test_a_configuration_that_cannot_render_is_a_409_with_the_templates_line(
    ui_inventory, viewer
) -> None:
    ConfigTemplate.objects.filter(pk=ui_inventory.config_template_id).update(
        template="router bgp {{ local_as.asn }}\n neighbor {{ no_such_thing }}\n"
    )
    client = token_client(viewer)
    response = client.get(_url(ui_inventory, "configuration"))
    assert response.status_code == 409
    assert_documented(response)
    assert response.json() == {"detail": "template “main” line 2: 'no_such_thing' is undefined"}
    Router.objects.filter(pk=ui_inventory.pk).update(config_template=None)
    response = client.get(_url(ui_inventory, "configuration"))
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "r1 has no configuration template."},
    )


def test_reading_the_configuration_needs_to_view_the_router(ui_inventory, make_user) -> None:
    nobody = make_user(username="nobody", view_all=False)
    response = token_client(nobody).get(_url(ui_inventory, "configuration"))
    assert response.status_code == 403
    assert_documented(response)
    anonymous = APIClient().get(_url(ui_inventory, "configuration"))
    assert anonymous.status_code == 401
    assert_documented(anonymous)
