"""Jobs in the API: who sees which, what a job reads like, the jobs page's filters, a list
whose cost does not grow with its length, cancelling, and no secret in a deploy's job."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from core.choices import JobStatus
from core.job_runner import run
from core.jobs import enqueue
from core.models import Job
from core.tests.api_checks import assert_documented, token_client
from devices.models import Platform, Router
from peering.models import (
    AutonomousSystem,
    Connection,
    InternetExchange,
    InternetExchangePeeringSession,
)
from peerkeeper.testing import mock_router

JOBS = "/api/core/jobs/"


@pytest.fixture
def router(db) -> Router:
    platform = Platform.objects.create(name="EOS", slug="eos", napalm_driver="eos")
    return Router.objects.create(name="edge1", hostname="127.0.0.1", platform=platform)


@pytest.fixture
def users(make_user) -> dict:
    """alice and bob may not view jobs; vera may view them; carl may change them."""
    return {
        "alice": make_user(username="alice", view_all=False),
        "bob": make_user(username="bob", view_all=False),
        "vera": make_user("core.view_job", username="vera", view_all=False),
        "carl": make_user("core.change_job", username="carl", view_all=False),
    }


def _job(target=None, user=None, status=JobStatus.PENDING, kind="ping", **fields) -> Job:
    return Job.objects.create(
        kind=kind,
        target=target,
        target_name=str(target) if target is not None else "",
        user=user,
        status=status,
        **fields,
    )


def _ids(response) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


def test_a_user_sees_their_own_jobs_and_a_job_viewer_sees_all(router, users) -> None:
    mine = _job(router, users["alice"])
    theirs = _job(router, users["bob"])
    nobodys = _job(None, None, kind="peeringdb_sync")

    alice = token_client(users["alice"])
    response = alice.get(JOBS)
    assert response.status_code == 200
    assert_documented(response)
    assert _ids(response) == {str(mine.pk)}
    assert alice.get(f"{JOBS}{mine.pk}/").status_code == 200
    refused = alice.get(f"{JOBS}{theirs.pk}/")
    assert refused.status_code == 404
    assert_documented(refused)

    vera = token_client(users["vera"])
    assert _ids(vera.get(JOBS)) == {str(mine.pk), str(theirs.pk), str(nobodys.pk)}
    assert vera.get(f"{JOBS}{theirs.pk}/").status_code == 200


def test_without_credentials_or_with_a_bad_token_the_answer_is_401(router, users) -> None:
    job = _job(router, users["alice"])
    anonymous = APIClient()
    for url in (JOBS, f"{JOBS}{job.pk}/"):
        response = anonymous.get(url)
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}
    response = anonymous.post(f"{JOBS}{job.pk}/cancel/")
    assert response.status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token pk_not-a-key")
    assert bad.get(JOBS).status_code == 401
    assert Job.objects.get(pk=job.pk).status == JobStatus.PENDING


def test_a_job_reads_as_its_page_shows_it(router, users) -> None:
    started = timezone.now() - timedelta(seconds=3)
    job = _job(
        router,
        users["alice"],
        JobStatus.COMPLETED,
        output="edge1: reachable (3.1 ms)",
        result={"router": "edge1", "status": "reachable"},
        log=[{"at": started.isoformat(), "level": "info", "message": "Opening a connection."}],
        started=started,
        finished=started + timedelta(seconds=2.5),
        arguments={},
    )
    response = token_client(users["alice"]).get(f"{JOBS}{job.pk}/")
    assert response.status_code == 200
    assert_documented(response)
    data = response.json()
    assert data["url"] == f"http://testserver{JOBS}{job.pk}/"
    assert (data["kind"], data["kind_label"], data["status"]) == ("ping", "Ping", "completed")
    assert (data["summary"], data["ok"]) == ("edge1: reachable (3.1 ms)", True)
    assert data["display"] == "Ping on edge1 (completed)"
    assert data["target"] == {
        "type": "devices.router",
        "noun": "router",
        "id": router.pk,
        "name": "edge1",
        "display": "edge1",
        "exists": True,
        # The router has an API collection: its address there, and its brief form.
        "url": f"http://testserver/api/devices/routers/{router.pk}/",
        "brief": {
            "id": router.pk,
            "url": f"http://testserver/api/devices/routers/{router.pk}/",
            "display": "edge1",
            "name": "edge1",
        },
    }
    assert data["user"] == {"id": users["alice"].pk, "username": "alice"}
    assert data["duration_s"] == 2.5
    assert data["log"] == [
        {"at": started.isoformat(), "level": "info", "message": "Opening a connection."}
    ]
    assert data["result"] == {"router": "edge1", "status": "reachable"}
    assert (data["repeat_every"], data["repeat_of"], data["next_run"]) == (None, None, None)


def test_a_job_still_names_its_deleted_target(router, users) -> None:
    job = _job(router, users["alice"], JobStatus.FAILED, error="edge1: unreachable")
    Router.objects.filter(pk=router.pk).update(name="edge1-renamed")
    target = token_client(users["alice"]).get(f"{JOBS}{job.pk}/").json()["target"]
    assert (target["name"], target["display"], target["exists"]) == (
        "edge1",
        "edge1-renamed",
        True,
    )
    router.delete()
    data = token_client(users["alice"]).get(f"{JOBS}{job.pk}/").json()
    assert data["target"]["exists"] is False
    assert (data["target"]["display"], data["target"]["url"], data["target"]["brief"]) == (
        "edge1",
        None,
        None,
    )
    assert (data["summary"], data["ok"]) == ("edge1: unreachable", False)


def test_the_list_filters_as_the_jobs_page_does(router, users) -> None:
    vera = users["vera"]
    ping = _job(router, vera, JobStatus.COMPLETED, output="edge1: reachable (1.0 ms)")
    poll = _job(router, vera, JobStatus.FAILED, kind="poll", error="edge1: timed out")
    sync = _job(None, vera, kind="peeringdb_sync", repeat_every=3600)
    ran = _job(None, vera, JobStatus.COMPLETED, kind="peeringdb_sync", repeat_every=3600)
    _job(None, vera, kind="peeringdb_sync", repeat_every=3600, repeat_of=ran)
    client = token_client(vera)

    assert _ids(client.get(JOBS, {"kind": "poll"})) == {str(poll.pk)}
    assert _ids(client.get(JOBS, {"status": "completed", "kind": "ping"})) == {str(ping.pk)}
    assert _ids(client.get(JOBS, {"target": "EDGE1"})) == {str(ping.pk), str(poll.pk)}
    assert _ids(client.get(JOBS, {"q": "timed out"})) == {str(poll.pk)}
    # The latest run of each repeating job: the one to cancel.
    repeating = _ids(client.get(JOBS, {"repeating": "true"}))
    assert str(sync.pk) in repeating and str(ran.pk) not in repeating
    assert _ids(client.get(JOBS, {"repeating": "false"})) == {str(ping.pk), str(poll.pk)}
    refused = client.get(JOBS, {"kind": "no-such-kind"})
    assert refused.status_code == 400
    assert_documented(refused)
    assert "kind" in refused.json()
    # Newest first, paginated.
    page = client.get(JOBS, {"limit": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2
    assert page["results"][0]["created"] >= page["results"][1]["created"]


def test_a_repeating_job_names_the_runs_before_and_after_it(router, users) -> None:
    first = _job(None, users["alice"], JobStatus.COMPLETED, kind="irr_refresh", repeat_every=60)
    second = _job(None, users["alice"], kind="irr_refresh", repeat_every=60, repeat_of=first)
    client = token_client(users["alice"])
    data = client.get(f"{JOBS}{first.pk}/").json()
    assert (data["repeat_every"], data["next_run"]) == (60, str(second.pk))
    assert client.get(f"{JOBS}{second.pk}/").json()["repeat_of"] == str(first.pk)


def _list_queries(client: APIClient) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(JOBS, {"limit": 100})
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_one_job_and_twenty(router, users) -> None:
    vera = users["vera"]
    client = token_client(vera)
    client.get(JOBS)  # the token's first use is written down once: not measured
    _job(router, vera, JobStatus.COMPLETED, output="edge1: reachable")
    one = _list_queries(client)
    previous = None
    for n in range(19):
        target = Router.objects.create(name=f"edge{n + 2}", hostname="127.0.0.2")
        if n % 4 == 3:
            target = None  # a job about nothing in particular
        user = [vera, users["alice"], None][n % 3]
        previous = _job(target, user, kind="ping" if target else "irr_refresh",
                        repeat_every=60, repeat_of=previous)  # fmt: skip
    response = client.get(JOBS, {"limit": 100})
    assert response.json()["count"] == 20
    assert_documented(response)
    assert _list_queries(client) == one


def test_each_kind_of_target_costs_one_more_query_not_one_per_job(router, users) -> None:
    ours = AutonomousSystem.objects.create(asn=64500, name="Us", affiliated=True)
    ixp = InternetExchange.objects.create(name="IX", slug="ix", local_autonomous_system=ours)
    client = token_client(users["vera"])
    client.get(JOBS)
    _job(router, users["vera"])
    one_kind = _list_queries(client)
    for _ in range(10):
        _job(ixp, users["vera"], kind="discover")
        _job(router, users["vera"])
    assert _list_queries(client) == one_kind + 1


def test_one_job_on_its_own_costs_no_more_than_its_place_in_a_list(router, users) -> None:
    job = _job(router, users["alice"])
    client = token_client(users["alice"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{JOBS}{job.pk}/").status_code == 200
    assert len(queries) <= 8, [q["sql"] for q in queries.captured_queries]


def test_whoever_started_a_pending_job_cancels_it(router, users) -> None:
    job = _job(router, users["alice"])
    response = token_client(users["alice"]).post(f"{JOBS}{job.pk}/cancel/")
    assert response.status_code == 200, response.json()
    assert_documented(response)
    data = response.json()
    assert data["detail"] == f"Job {job.pk} cancelled: it will not run."
    assert data["job"]["status"] == "failed"
    assert data["job"]["error"] == "Cancelled by alice before it ran."
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED

    again = token_client(users["alice"]).post(f"{JOBS}{job.pk}/cancel/")
    assert again.status_code == 409
    assert_documented(again)
    assert again.json() == {"detail": f"Job {job.pk} is failed: there is nothing to cancel."}


def test_cancelling_someone_elses_job_needs_the_permission_to_change_jobs(router, users) -> None:
    job = _job(router, users["alice"])
    # bob cannot see it at all; vera sees it but may not change it.
    assert token_client(users["bob"]).post(f"{JOBS}{job.pk}/cancel/").status_code == 404
    refused = token_client(users["vera"]).post(f"{JOBS}{job.pk}/cancel/")
    assert refused.status_code == 403
    assert_documented(refused)
    assert "core.change_job" in refused.json()["detail"]
    assert Job.objects.get(pk=job.pk).status == JobStatus.PENDING

    response = token_client(users["carl"]).post(f"{JOBS}{job.pk}/cancel/")
    assert response.status_code == 200
    assert Job.objects.get(pk=job.pk).error == "Cancelled by carl before it ran."


def test_a_read_only_token_reads_jobs_but_cannot_cancel_one(router, users) -> None:
    job = _job(router, users["alice"])
    client = token_client(users["alice"], write_enabled=False)
    assert client.get(f"{JOBS}{job.pk}/").status_code == 200
    response = client.post(f"{JOBS}{job.pk}/cancel/")
    assert response.status_code == 403
    assert response.json() == {"detail": "This token is read-only."}
    assert Job.objects.get(pk=job.pk).status == JobStatus.PENDING


def test_an_address_that_is_not_a_job_is_a_json_404(users) -> None:
    client = token_client(users["vera"])
    for path in ("not-a-job/", "00000000-0000-0000-0000-000000000000/"):
        response = client.get(f"{JOBS}{path}")
        assert response.status_code == 404
        assert "detail" in response.json()


def test_a_deploy_jobs_representation_holds_no_password(tmp_path: Path, users) -> None:
    diff = "+ neighbor 192.0.2.11 remote-as 64501\n+ neighbor 192.0.2.11 password session-secret\n"
    router = mock_router(
        tmp_path / "m1",
        {
            "load_merge_candidate": {},
            "compare_config": {"diff": diff},
            "commit_config": {},
            "discard_config": {},
        },
        template="router bgp 64500\n{% for s in sessions %} neighbor {{ s.ip_address }} "
        "remote-as {{ s.autonomous_system.asn }}\n"
        " neighbor {{ s.ip_address }} password {{ s.password }}\n{% endfor %}",
        napalm_password="router-secret",
    )
    peer = AutonomousSystem.objects.create(asn=64501, name="Peer One", ipv4_max_prefixes=10)
    ixp = InternetExchange.objects.create(
        name="IX", slug="ix", local_autonomous_system=router.local_autonomous_system
    )
    link = Connection.objects.create(
        internet_exchange=ixp, router=router, ipv4_address="192.0.2.1/24"
    )
    InternetExchangePeeringSession.objects.create(
        ixp_connection=link, autonomous_system=peer, ip_address="192.0.2.11",
        password="session-secret",
    )  # fmt: skip
    job = enqueue("deploy", target=router, user=users["vera"])
    run(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, job.error
    response = token_client(users["vera"]).get(f"{JOBS}{job.pk}/")
    assert_documented(response)
    text = json.dumps(response.json())
    assert "192.0.2.11 remote-as 64501" in text  # the diff is there...
    assert "session-secret" not in text  # ...with the session's password masked
    assert "router-secret" not in text
