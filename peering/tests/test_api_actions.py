"""An Internet exchange's actions in the API: discovery as a job, the available peers as
the page and `available_peers --json` show them, and creating their sessions, each with
the page's permission."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from core.choices import JobStatus
from core.models import Job
from core.tests.api_checks import assert_documented, token_client
from peering.models import AutonomousSystem, InternetExchange, InternetExchangePeeringSession
from peeringdb.models import Network
from peeringdb.tests.factories import demo_exchange, demo_ixlan
from peerkeeper.testing import run_command

VIEW = "peering.view_internetexchange"
CREATE = "peering.add_internetexchangepeeringsession"
ADD_AS = "peering.add_autonomoussystem"


@pytest.fixture
def ixp(db) -> InternetExchange:
    demo_ixlan()
    return demo_exchange()


def _url(ixp: InternetExchange, action: str) -> str:
    return f"/api/peering/ixps/{ixp.pk}/{action}/"


def _addresses(asn: int) -> list[tuple[str, bool]]:
    sessions = InternetExchangePeeringSession.objects.filter(autonomous_system__asn=asn)
    return sorted(sessions.values_list("ip_address", "is_route_server"))


# --- discovery ------------------------------------------------------------------------


def test_a_discovery_preview_needs_to_view_the_exchange(ixp, make_user) -> None:
    viewer = make_user(VIEW, username="viewer", view_all=False)
    response = token_client(viewer).post(_url(ixp, "discover"), {"dry_run": True}, format="json")
    assert response.status_code == 202, response.json()
    assert_documented(response)
    job = Job.objects.get()
    assert (job.kind, job.target, job.arguments, job.user, job.status) == (
        "discover",
        ixp,
        {"dry_run": True},
        viewer,
        JobStatus.PENDING,
    )
    assert response["Location"].endswith(f"/api/core/jobs/{job.pk}/")
    target = response.json()["target"]
    assert (target["type"], target["url"]) == (
        "peering.internetexchange",
        f"http://testserver/api/peering/ixps/{ixp.pk}/",
    )


def test_creating_the_sessions_found_needs_to_add_sessions(ixp, make_user) -> None:
    viewer = make_user(VIEW, username="viewer", view_all=False)
    for body in ({}, {"dry_run": False}):
        refused = token_client(viewer).post(_url(ixp, "discover"), body, format="json")
        assert refused.status_code == 403
        assert_documented(refused)
        assert refused.json() == {
            "detail": f"This needs the permission {CREATE} to create the sessions "
            '("dry_run": true lists them).'
        }
    assert not Job.objects.exists()

    # As the page's "create" button: adding sessions is enough.
    creator = make_user(CREATE, username="creator", view_all=False)
    response = token_client(creator).post(_url(ixp, "discover"), format="json")
    assert response.status_code == 202
    assert Job.objects.get().arguments == {}  # the job's default: create


def test_discovery_refuses_what_its_job_refuses(ixp, make_user) -> None:
    client = token_client(make_user(VIEW, CREATE, view_all=False))
    for body, sentence in [
        ({"dry_run": "yes"}, "dry_run must be true or false."),
        ({"dry_run": True, "ixp": 1}, "A Discover IXP sessions job does not take ixp."),
    ]:
        response = client.post(_url(ixp, "discover"), body, format="json")
        assert (response.status_code, response.json()) == (400, {"detail": sentence})
    assert (
        client.post(
            "/api/peering/ixps/999999/discover/", {"dry_run": True}, format="json"
        ).status_code
        == 404
    )
    assert not Job.objects.exists()


# --- available peers ------------------------------------------------------------------


def test_the_available_peers_are_what_the_command_prints_as_json(ixp, make_user) -> None:
    viewer = make_user(VIEW, username="viewer", view_all=False)
    response = token_client(viewer, write_enabled=False).get(_url(ixp, "available-peers"))
    assert response.status_code == 200
    assert_documented(response)
    _, out, _ = run_command("available_peers", "demo-ix", "--json")
    assert response.json() == {**json.loads(out), "not_linked": ""}
    [connection] = response.json()["connections"]
    assert [peer["asn"] for peer in connection["peers"]] == [
        64502, 64505, 64506, 64507, 64508, 64509, 64510,
    ]  # fmt: skip


def test_an_exchange_not_linked_says_why_and_the_fix(db, make_user) -> None:
    ixp = demo_exchange()
    viewer = make_user(VIEW, username="viewer", view_all=False)
    data = token_client(viewer).get(_url(ixp, "available-peers")).json()
    assert data["linked"] is False
    assert data["not_linked"].startswith("Demo IX is not linked to PeeringDB: ")


def test_the_available_peers_need_to_view_the_exchange(ixp, make_user) -> None:
    nobody = make_user(username="nobody", view_all=False)
    refused = token_client(nobody).get(_url(ixp, "available-peers"))
    assert refused.status_code == 403
    assert_documented(refused)
    anonymous = APIClient().get(_url(ixp, "available-peers"))
    assert anonymous.status_code == 401
    assert_documented(anonymous)


# --- creating sessions ------------------------------------------------------------------


def test_sessions_are_created_with_the_named_peers(ixp, make_user) -> None:
    client = token_client(make_user(CREATE, ADD_AS, view_all=False))
    response = client.post(
        _url(ixp, "create-sessions"), {"asns": [64505, "AS64510"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert_documented(response)
    data = response.json()
    assert data["summary"] == "Created 6 sessions on Demo IX (2 new ASes)."
    assert data["new_ases"] == ["AS64505 Peer Five", "AS64510 Demo IX Route Servers"]
    assert data["notes"] == []
    assert {"asn": 64505, "address": "192.0.2.15", "router": "r1"}.items() <= (
        data["created"][0].items()
    )
    assert _addresses(64505) == [("192.0.2.15", False), ("2001:db8:1::15", False)]
    assert len(_addresses(64510)) == 4


def test_all_creates_every_peer_but_those_the_command_leaves_out(ixp, make_user) -> None:
    client = token_client(make_user(CREATE, ADD_AS, view_all=False))
    response = client.post(_url(ixp, "create-sessions"), {"all": True}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["summary"] == "Created 11 sessions on Demo IX (5 new ASes); skipped 1 address."
    assert data["notes"] == [
        "Demo IX on r1: left out AS64507 Peer Seven: PeeringDB policy No, the network does "
        'not peer (name it in "asns")'
    ]
    assert _addresses(64507) == []
    again = client.post(_url(ixp, "create-sessions"), {"all": True}, format="json")
    assert again.status_code == 400
    assert_documented(again)
    assert again.json()["detail"].startswith('"all" leaves out every available peer of Demo IX')


def test_new_ases_need_the_permission_to_add_them_and_nothing_is_created(ixp, make_user) -> None:
    client = token_client(make_user(CREATE, view_all=False))
    response = client.post(_url(ixp, "create-sessions"), {"asns": [64505]}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "AS64505 is not in the inventory, and adding it needs the permission to add "
        f"autonomous systems ({ADD_AS}): nothing was created."
    }
    assert _addresses(64505) == []
    # A peer already in the inventory needs no more.
    assert (
        client.post(_url(ixp, "create-sessions"), {"asns": [64502]}, format="json").json()[
            "summary"
        ]
        == "Created 1 session on Demo IX; skipped 1 address."
    )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, {"non_field_errors": ['Give either "asns" (a list of AS numbers) or "all": true.']}),
        (
            {"asns": [64505], "all": True},
            {"non_field_errors": ['Give either "asns" (a list of AS numbers) or "all": true.']},
        ),
        ({"asns": []}, {"asns": ["This list may not be empty."]}),
        ({"asns": ["AS6450x"]}, {"asns": {"0": ["'AS6450x' is not an AS number."]}}),
        ({"asns": [True]}, {"asns": {"0": ["True is not an AS number."]}}),
        ({"asn": [64505]}, {"non_field_errors": ["Unknown field: asn."]}),
        ({"asns": [64599]}, {
            "detail": "AS64599 is on none of Demo IX's IX LANs in PeeringDB: nothing was created."
        }),
        ({"asns": [0]}, {
            "detail": "0 is not an AS number: use 1 to 4294967295; nothing was created."
        }),
        ({"asns": [64500]}, {"detail": "AS64500 is ours, not a peer: nothing was created."}),
    ],
)  # fmt: skip
def test_a_bad_choice_is_a_400_and_creates_nothing(ixp, make_user, body, error) -> None:
    client = token_client(make_user(CREATE, ADD_AS, view_all=False))
    sessions, ases = (
        InternetExchangePeeringSession.objects.count(),
        AutonomousSystem.objects.count(),
    )
    response = client.post(_url(ixp, "create-sessions"), body, format="json")
    assert (response.status_code, response.json()) == (400, error)
    assert_documented(response)
    assert InternetExchangePeeringSession.objects.count() == sessions
    assert AutonomousSystem.objects.count() == ases


def test_creating_sessions_needs_the_pages_permission_and_a_token_that_writes(
    ixp, make_user
) -> None:
    body = {"asns": [64502]}
    viewer = make_user(VIEW, username="viewer")
    refused = token_client(viewer).post(_url(ixp, "create-sessions"), body, format="json")
    assert refused.status_code == 403
    assert_documented(refused)
    assert refused.json() == {"detail": f"This needs the permission {CREATE}."}
    creator = make_user(CREATE, ADD_AS, username="creator")
    read_only = token_client(creator, write_enabled=False)
    response = read_only.post(_url(ixp, "create-sessions"), body, format="json")
    assert (response.status_code, response.json()) == (403, {"detail": "This token is read-only."})
    assert APIClient().post(_url(ixp, "create-sessions"), body, format="json").status_code == 401
    assert _addresses(64502) == [("192.0.2.12", False)]


def test_a_restrictive_peer_is_said_so(ixp, make_user) -> None:
    Network.objects.filter(asn=64506).update(policy_general="Restrictive")
    client = token_client(make_user(CREATE, ADD_AS, view_all=False))
    data = client.post(_url(ixp, "create-sessions"), {"asns": [64506]}, format="json").json()
    assert [(s["address"], s["policy"]) for s in data["created"]] == [("192.0.2.16", "Restrictive")]
