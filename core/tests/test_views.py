"""Login, navigation, the home page and the jobs pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from core.choices import JobStatus
from core.models import Job
from devices.models import Router


def test_every_page_needs_a_login(client: Client, ui_inventory) -> None:
    for url in ["/", "/devices/routers/", f"/devices/routers/{ui_inventory.pk}/", "/jobs/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"


def test_logging_in_opens_the_home_page(client: Client, make_user) -> None:
    make_user(username="alice")
    page = client.get("/login/")
    assert page.status_code == 200
    assert b'name="password"' in page.content
    response = client.post("/login/", {"username": "alice", "password": "a-long-test-password"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert b"Routers" in client.get("/").content


def test_a_wrong_password_is_refused(client: Client, make_user) -> None:
    make_user(username="alice")
    response = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_the_menu_lists_only_what_the_user_may_view(client: Client, make_user) -> None:
    client.force_login(make_user("devices.view_router", username="bob", view_all=False))
    page = client.get("/").content.decode()
    assert 'href="/devices/routers/"' in page
    assert 'href="/peering/ixps/"' not in page
    assert client.get("/peering/ixps/").status_code == 403


def test_pages_load_their_assets_from_the_app_itself(viewer_client: Client, ui_inventory) -> None:
    page = viewer_client.get(f"/devices/routers/{ui_inventory.pk}/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert assets == ["/static/peerkeeper/style.css", "/static/django_htmx/htmx-2.min.js"]
    for asset in assets:
        response = viewer_client.get(asset)
        assert response.status_code == 200
        assert b"".join(response.streaming_content)


def test_every_page_has_an_icon_and_favicon_ico_answers(client: Client, make_user) -> None:
    # The login page (no login yet) links the icon; /favicon.ico, which browsers ask for
    # whatever the page links, leads to it without a login.
    page = client.get("/login/").content.decode()
    [icon] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    response = client.get(icon)
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)
    response = client.get("/favicon.ico", follow=True)
    assert response.redirect_chain == [(icon, 302)]
    assert response.status_code == 200


def _job(router, **fields) -> Job:
    kind = fields.pop("kind", "ping")
    return Job.objects.create(target=router, target_name=router.name, kind=kind, **fields)


def test_a_running_job_polls_itself_and_a_finished_one_stops(viewer_client, ui_inventory) -> None:
    job = _job(
        ui_inventory,
        status=JobStatus.RUNNING,
        log=[{"at": "t", "level": "info", "message": "Opening"}],
    )
    url = reverse("core:job_status", args=[job.pk])
    running = viewer_client.get(url)
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "HX-Trigger" not in running

    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.COMPLETED,
        output="r1: reachable (12.5 ms)",
        result={"router": "r1", "ok": True, "latency_ms": 12.5, "error": None, "category": None},
    )
    finished = viewer_client.get(url)
    body = finished.content.decode()
    assert "every 1s" not in body
    assert '<p class="job-summary ok">\n    r1: reachable (12.5 ms)' in body
    assert "job-finished" in finished["HX-Trigger"]


def test_a_failed_ping_shows_the_reason(viewer_client, ui_inventory) -> None:
    job = _job(
        ui_inventory,
        status=JobStatus.FAILED,
        error="Authentication failed on r1 as root.",
        result={"router": "r1", "ok": False, "category": "authentication failed",
                "error": "Authentication failed on r1 as root.", "latency_ms": None},
    )  # fmt: skip
    body = viewer_client.get(reverse("core:job_status", args=[job.pk])).content.decode()
    assert '<p class="job-summary failed">\n    Ping failed: authentication failed' in body
    assert '<pre class="output">Authentication failed on r1 as root.</pre>' in body
    assert "<strong>Ping</strong> on r1" in body


def test_a_diff_is_shown_line_by_line(viewer_client, ui_inventory) -> None:
    diff = "--- running\n+++ candidate\n@@ -1 +1 @@\n- maximum-prefix 100\n+ maximum-prefix 150\n"
    job = _job(
        ui_inventory,
        kind="deploy_dry_run",
        status=JobStatus.COMPLETED,
        output=diff,
        result={"status": "changed", "note": "would change (dry run)", "diff": diff},
    )
    body = viewer_client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "changed: would change (dry run)" in body
    assert '<span class="diff-add">+ maximum-prefix 150</span>' in body
    assert '<span class="diff-del">- maximum-prefix 100</span>' in body


def test_an_errored_job_shows_its_traceback(viewer_client, ui_inventory) -> None:
    job = _job(
        ui_inventory,
        status=JobStatus.ERRORED,
        error="Traceback (most recent call last):\n  File x\nKeyError: 'peers'",
    )
    body = viewer_client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "Unexpected error: KeyError: &#x27;peers&#x27;" in body
    assert "Traceback (most recent call last)" in body


def test_the_jobs_page_lists_and_filters_jobs(viewer_client, ui_inventory) -> None:
    _job(ui_inventory, status=JobStatus.COMPLETED)
    _job(ui_inventory, kind="poll", status=JobStatus.FAILED)
    assert _listed_kinds(viewer_client.get("/jobs/")) == ["poll", "ping"]
    assert _listed_kinds(viewer_client.get("/jobs/", {"status": "failed"})) == ["poll"]


def test_the_jobs_page_links_a_target_while_it_exists(viewer_client, ui_inventory) -> None:
    _job(ui_inventory, status=JobStatus.COMPLETED)
    gone = Router.objects.create(name="gone", hostname="127.0.0.9")
    _job(gone, status=JobStatus.COMPLETED)
    gone.delete()
    page = viewer_client.get("/jobs/", {"target": "R1"})
    assert _listed_kinds(page) == ["ping"]
    body = viewer_client.get("/jobs/").content.decode()
    assert f'<a href="/devices/routers/{ui_inventory.pk}/">r1</a>' in body
    assert "<td >Ping</td>" in body  # the kind's label
    assert "<td >gone</td>" in body  # the name it had, no link


def test_a_repeating_jobs_page_shows_the_repeat_and_cancels_it(client, make_user, ui_inventory):
    owner = make_user(username="dave")
    job = _job(ui_inventory, user=owner, status=JobStatus.PENDING, repeat_every=3600)
    client.force_login(make_user(username="erin"))
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "every 3600 s" in page and "Cancel this run to stop the repetition." in page
    assert ">Cancel</button>" not in page  # not erin's job, and no change permission
    assert client.post(reverse("core:job_cancel", args=[job.pk])).status_code == 403

    client.force_login(owner)
    assert ">Cancel</button>" in client.get(reverse("core:job", args=[job.pk])).content.decode()
    response = client.post(reverse("core:job_cancel", args=[job.pk]), follow=True)
    assert f"Job {job.pk} cancelled: it will not run." in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "Cancelled by dave before it ran.")


def _listed_kinds(response) -> list[str]:
    return [row.record.kind for row in response.context["table"].paginated_rows]


@pytest.mark.parametrize("owner", [True, False])
def test_a_job_is_visible_to_whoever_started_it(client, make_user, ui_inventory, owner) -> None:
    user = make_user("devices.view_router", username="carol", view_all=False)
    job = _job(ui_inventory, user=user if owner else None, status=JobStatus.RUNNING)
    client.force_login(user)
    response = client.get(reverse("core:job_status", args=[job.pk]))
    assert response.status_code == (200 if owner else 403)
