"""No secret reaches anything the API answers.

Canary values go into every place a secret is kept: a router's NAPALM password and the
credentials among its and its platform's NAPALM arguments, both kinds of BGP session
password, an API token's key, the NAPALM_PASSWORD and PEERINGDB_API_KEY settings; a
password is then changed through the API (so the change log has the change) and jobs
run on the routers in this process (a configuration diff whose lines hold the session
passwords, a render, a ping that fails). Then the whole API is crawled, driven by its
schema so that a new endpoint is crawled without being named here: the root, every list
with ?limit=1000, every object of every list at every address the schema has for one,
the schema in YAML and JSON, the documentation page, the browsable API's pages, the
OPTIONS of every address. No answer may hold a canary, any stored Fernet token (read from
the database itself) or the token's digest; nor may anything logged meanwhile.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.http import HttpResponse
from django.test import Client

from core.fields import EncryptedTextField
from core.job_runner import run
from core.models import Job, Token
from core.tests.api_fixtures import APIInventory, auth_header
from core.tests.network import leaving, outbound_attempts
from core.tests.openapi import list_paths, operations, resolve, served_schema
from devices.models import Platform
from peerkeeper.testing import mock_answers

API = "http://testserver/api/"
# The credentials a response component may show: only whether one is set (`<name>_set`),
# and a new token's key, once, to the user who created it.
SECRET_NAME = re.compile(r"password|secret|passphrase|api_key|digest", re.IGNORECASE)
NEW_TOKEN_KEY = ("NewToken", "key")


def canary(place: str) -> str:
    """A value that can only come from one place, in this run."""
    return f"Canary-{place}-{secrets.token_hex(6)}"


class Crawl:
    """Every answer of the crawl: (what was asked, the answer's text)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.answers: list[tuple[str, str]] = []
        self.seen: set[str] = set()

    def get(self, url: str, client: Client | None = None, **extra: Any) -> HttpResponse:
        response = (client or self.client).get(url, **extra)
        self.answers.append((f"GET {url}", response.content.decode("utf-8", "replace")))
        return response

    def options(self, url: str) -> None:
        response = self.client.options(url)
        self.answers.append((f"OPTIONS {url}", response.content.decode("utf-8", "replace")))

    def follow(self, data: Any) -> None:
        """GET every API address a JSON answer links to, once."""
        for url in sorted(_links(data) - self.seen):
            self.seen.add(url)
            self.get(url.removeprefix("http://testserver"))

    def holding(self, needles: dict[str, str]) -> list[str]:
        return [
            f"{asked} holds {what}"
            for asked, text in self.answers
            for what, needle in needles.items()
            if needle in text
        ]


def _links(data: Any) -> set[str]:
    """The API addresses anywhere in a JSON value."""
    found: set[str] = set()
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str) and value.startswith(API):
            found.add(value.split("?", 1)[0])
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return found


def stored_secrets() -> dict[str, str]:
    """Every credential as the database holds it (Fernet tokens), read with SQL: whatever
    the models would show, these are the bytes that must never be answered."""
    found = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, EncryptedTextField):
                    table, column = model._meta.db_table, field.column
                    cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> \'\'')
                    for number, (token,) in enumerate(cursor.fetchall()):
                        found[f"a Fernet token of {table}.{column} ({number})"] = token
        cursor.execute('SELECT "digest" FROM "core_token"')
        for number, (digest,) in enumerate(cursor.fetchall()):
            found[f"a token's digest ({number})"] = digest
    return found


@pytest.fixture
def canaries(
    api_inventory: APIInventory, api_client: Client, api_user: Any, settings: Any, tmp_path: Path
) -> dict[str, str]:
    """The inventory with a canary in every secret place, a password changed through the
    API, and jobs run on the routers; returns the canaries by place."""
    values = {
        place: canary(place)
        for place in (
            "router-password",
            "router-args-secret",
            "router-args-password",
            "platform-args-secret",
            "platform-args-password",
            "direct-password",
            "ixp-password",
            "patched-router-password",
            "patched-session-password",
            "napalm-password-setting",
            "peeringdb-api-key",
        )
    }
    settings.NAPALM_PASSWORD = values["napalm-password-setting"]
    settings.PEERINGDB_API_KEY = values["peeringdb-api-key"]
    _token, values["api-token-key"] = Token.issue(api_user, description="canary")

    platform = api_inventory.platform
    platform.napalm_args = {
        "secret": values["platform-args-secret"],
        "password": values["platform-args-password"],
    }
    platform.save()
    r1, r2 = api_inventory.routers
    r1.napalm_password = values["router-password"]
    r1.napalm_args = {
        **r1.napalm_args,
        "secret": values["router-args-secret"],
        "password": values["router-args-password"],
    }
    r1.save()
    direct = api_inventory.direct_sessions[0]
    direct.password = values["direct-password"]
    direct.save()
    ixp_session = api_inventory.ixp_sessions[0]
    ixp_session.password = values["ixp-password"]
    ixp_session.save()

    # Changes through the API: the change log records them.
    for url, body in (
        (f"/api/devices/routers/{r2.pk}/", {"napalm_password": values["patched-router-password"]}),
        (
            f"/api/peering/ixp-sessions/{ixp_session.pk}/",
            {"password": values["patched-session-password"]},
        ),
    ):
        response = api_client.patch(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 200, response.content

    # A router whose driver answers a diff holding the session passwords, old and new.
    diff = (
        f"+ neighbor 192.0.2.11 password {values['patched-session-password']}\n"
        f"- neighbor 192.0.2.11 password {values['ixp-password']}\n"
        f"+ neighbor 198.51.100.1 password {values['direct-password']}\n"
    )
    answers = {
        "load_merge_candidate": {},
        "discard_config": {},
        "compare_config": {"diff": diff},
        "get_bgp_neighbors": {},
    }
    r1.platform = Platform.objects.create(
        name="Mock", slug="mock", napalm_driver="mock", napalm_args=platform.napalm_args
    )
    r1.napalm_args = {**r1.napalm_args, "path": mock_answers(tmp_path / "r1", answers)}
    r1.save()

    started = {}
    with outbound_attempts() as attempts:
        for router, action in ((r1, "diff"), (r1, "render"), (r2, "ping")):
            response = api_client.post(
                f"/api/devices/routers/{router.pk}/{action}/", "{}", "application/json"
            )
            assert response.status_code == 202, response.content
            started[action] = response.json()["id"]
            run(started[action])
    assert not leaving(attempts)
    jobs = {action: Job.objects.get(pk=pk) for action, pk in started.items()}
    assert jobs["diff"].status == "completed", jobs["diff"].error
    assert jobs["diff"].output.count("password") == 3  # each line, its password masked
    assert jobs["render"].status == "completed", jobs["render"].error
    assert jobs["ping"].status == "failed"  # r2 points at a closed port
    return values


def test_no_answer_of_the_api_holds_a_secret(
    canaries: dict[str, str],
    api_user: Any,
    api_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    crawl = Crawl(Client(headers=auth_header(api_key)))
    browser = Client()
    browser.force_login(api_user)

    crawl.follow(crawl.get("/api/").json())
    document = served_schema(crawl.client)
    crawl.get("/api/schema/")
    crawl.get("/api/schema/", data={"format": "json"})
    crawl.get("/api/docs/", client=browser)
    for path in list_paths(document):
        page = crawl.get(path, data={"limit": 1000}).json()
        assert page["count"] == len(page["results"]), f"{path}: more than one page"
        crawl.follow(page)
        crawl.get(path, client=browser, HTTP_ACCEPT="text/html")
        crawl.options(path)
    # Every address the schema has for one object (its detail, its configuration, its
    # available peers...), for every object its list holds.
    for operation in operations(document):
        if operation.method != "get" or not operation.names_an_object:
            continue
        collection = operation.path.split("{", 1)[0]
        items = crawl.get(collection, data={"limit": 1000}).json()["results"]
        assert items, f"{collection} is empty: {operation.label} was not crawled"
        for item in items:
            url = operation.path.replace("{id}", str(item["id"]))
            crawl.follow(crawl.get(url).json())
            crawl.options(url)
        crawl.get(url, client=browser, HTTP_ACCEPT="text/html")

    changes = crawl.get("/api/changelog/", data={"limit": 1000})
    assert changes.status_code == 200 and changes.json()["count"] > 0
    assert {"deploy_dry_run", "render", "ping"} <= {
        job["kind"] for job in crawl.get("/api/core/jobs/").json()["results"]
    }
    assert len(crawl.answers) > 200, "the crawl read far less than the API serves"

    needles = {f"the canary of {place}": value for place, value in canaries.items()}
    needles.update(stored_secrets())
    assert len([n for n in needles if n.startswith("a Fernet token")]) >= 4
    leaks = crawl.holding(needles)
    leaks += [f"the log holds {what}" for what, value in needles.items() if value in caplog.text]
    assert not leaks, "\n".join(leaks)


def test_no_response_schema_has_a_secret_field(api_client: Client) -> None:
    """Credentials are write-only: a response component names one only to say whether it
    is set (a boolean), except a new token's key, shown once."""
    document = served_schema(api_client)
    response_components = set()
    for operation in operations(document):
        for answer in operation.definition["responses"].values():
            for content in answer.get("content", {}).values():
                schema = content.get("schema", {})
                pending = [schema]
                while pending:
                    node = pending.pop()
                    if "$ref" in node:
                        name = node["$ref"].rsplit("/", 1)[1]
                        if name not in response_components:
                            response_components.add(name)
                            pending.append(resolve(document, node))
                        continue
                    for key in ("properties", "items", "additionalProperties"):
                        value = node.get(key)
                        if isinstance(value, dict):
                            children = value.values() if key == "properties" else [value]
                            pending.extend(c for c in children if isinstance(c, dict))
                    for key in ("allOf", "oneOf", "anyOf"):
                        pending.extend(node.get(key, []))
    shown = []
    for name in sorted(response_components):
        properties = document["components"]["schemas"][name].get("properties", {})
        for field, schema in properties.items():
            secret = SECRET_NAME.search(field) and (name, field) != NEW_TOKEN_KEY
            if secret and resolve(document, schema).get("type") != "boolean":
                shown.append(f"{name}.{field}")
    assert "Router" in response_components
    assert not shown, f"responses that show a credential: {shown}"
