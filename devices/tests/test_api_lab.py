"""The API against the lab's real router, as a script would use it: over HTTP only, with
tokens, a server and a job worker of its own. It adds a peer and its IXP session, deploys
r1, reads the job until it has finished and finds the new neighbour in its diff; a
read-only token or none cannot do the same."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from core.models import Token

P3, P3_ASN = "192.0.2.13", 64503
SESSION_PASSWORD = "Lab-Api-Secret-3"
JOB_TIMEOUT_S = 120
FINISHED = {"completed", "failed", "errored"}

pytestmark = pytest.mark.lab


class Script:
    """What a user's script does: JSON over HTTP with `Authorization: Token <key>`."""

    def __init__(self, base: str, key: str | None) -> None:
        self.base = base
        self.session = requests.Session()
        if key is not None:
            self.session.headers["Authorization"] = f"Token {key}"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base}{path}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.url(path), params=params, timeout=30)

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.session.post(self.url(path), json=body or {}, timeout=30)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.url(path), timeout=30)

    def every(self, path: str) -> list[dict[str, Any]]:
        response = self.get(path, limit=1000)
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def wait_for_job(self, location: str) -> dict[str, Any]:
        deadline = time.monotonic() + JOB_TIMEOUT_S
        while True:
            job = self.get(location).json()
            if job["status"] in FINISHED:
                return job
            assert time.monotonic() < deadline, f"job still {job['status']}: {job['log']}"
            time.sleep(0.5)


def test_a_script_adds_a_peer_deploys_it_and_reads_the_diff(
    demo_inventory, lab, job_worker, live_server, make_user
) -> None:
    user = make_user(
        "peering.add_autonomoussystem",
        "peering.delete_autonomoussystem",
        "peering.add_internetexchangepeeringsession",
        "peering.delete_internetexchangepeeringsession",
        "devices.deploy_router",
        username="automation",
    )
    _, key = Token.issue(user, description="deploy script")
    _, read_only_key = Token.issue(user, write_enabled=False)
    api = Script(f"{live_server.url}/api", key)

    [r1] = [router for router in api.every("/devices/routers/") if router["name"] == "r1"]
    [link] = [c for c in api.every("/peering/connections/") if c["router"]["id"] == r1["id"]]
    # The demo knows p3 already: start from an inventory without it.
    for session in api.every("/peering/ixp-sessions/"):
        if session["autonomous_system"]["asn"] == P3_ASN:
            assert api.delete(session["url"]).status_code == 204
    for system in api.every("/peering/autonomous-systems/"):
        if system["asn"] == P3_ASN:
            assert api.delete(system["url"]).status_code == 204
    assert f"neighbor {P3} " not in lab.router("r1").vtysh("show running-config")

    response = api.post(
        "/peering/autonomous-systems/",
        {"asn": P3_ASN, "name": "Peer Three", "ipv4_max_prefixes": 100},
    )
    assert response.status_code == 201, response.text
    peer = response.json()
    response = api.post(
        "/peering/ixp-sessions/",
        {
            "ixp_connection": link["id"],
            "autonomous_system": peer["id"],
            "ip_address": P3,
            "password": SESSION_PASSWORD,
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["password_set"] is True

    response = api.post(f"/devices/routers/{r1['id']}/deploy/", {"commit_check": True})
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending"
    job = api.wait_for_job(response.headers["Location"])
    assert job["status"] == "completed", job["error"]
    assert (job["kind"], job["target"]["name"], job["user"]["username"]) == (
        "deploy",
        "r1",
        "automation",
    )
    assert f"neighbor {P3} remote-as {P3_ASN}" in job["output"]
    assert job["result"]["status"] == "changed" and job["result"]["committed"] is True
    # The session's password went to the router, and nowhere in what the API says.
    assert SESSION_PASSWORD not in json.dumps(job)
    running = lab.router("r1").vtysh("show running-config")
    assert f"neighbor {P3} remote-as {P3_ASN}" in running
    assert f"neighbor {P3} password" in running

    # A read-only token reads the job, and may write nothing; no token is a 401.
    read_only = Script(api.base, read_only_key)
    anonymous = Script(api.base, None)
    assert read_only.get(response.headers["Location"]).status_code == 200
    writes = [
        ("/peering/autonomous-systems/", {"asn": 64511, "name": "Peer Eleven"}),
        ("/peering/ixp-sessions/", {"ixp_connection": link["id"],
                                    "autonomous_system": peer["id"], "ip_address": "192.0.2.14"}),
        (f"/devices/routers/{r1['id']}/deploy/", {}),
        (f"/devices/routers/{r1['id']}/diff/", {}),
    ]  # fmt: skip
    for path, body in writes:
        refused = read_only.post(path, body)
        assert (refused.status_code, refused.json()) == (
            403,
            {"detail": "This token is read-only."},
        ), path
        assert anonymous.post(path, body).status_code == 401, path
    assert anonymous.get(response.headers["Location"]).status_code == 401
    jobs = api.every("/core/jobs/")
    assert [j["kind"] for j in jobs] == ["deploy"]
    assert not [s for s in api.every("/peering/ixp-sessions/") if s["ip_address"] == "192.0.2.14"]
