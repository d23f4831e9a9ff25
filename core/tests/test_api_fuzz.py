"""Every operation of the REST API, fuzzed from the API's own OpenAPI schema.

Schemathesis reads the schema the application serves (/api/schema/) and Hypothesis
generates requests for each operation: valid ones and invalid ones (wrong types, values out
of range, missing fields, strings of any Unicode, NUL bytes...), with the JSON bodies the
schema documents. Requests run in this process on the test database, as a superuser's
read-write token; those of an operation about one object also name each object of its
collection that exists (ids read from the lists), and a body's reference to another object
(`"router": 3`) is sometimes swapped for one that exists, so that reading, changing and
deleting real objects is fuzzed too. Each request runs in a savepoint rolled back after
it: every request meets the same inventory.

Every answer must be one the schema documents: no 5xx, a documented status code and
content type, a body that matches the status's schema. Jobs that action endpoints start
are only queued (nothing runs them here), and no request makes this process reach beyond
the machine (core.tests.network).

Each operation gets MAX_EXAMPLES generated requests, derandomised: the same requests on
every run, so a failure is reproducible and CI is not flaky. A failure names the operation,
what was found and a `curl` line reproducing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.relations import RelatedField
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.models import Job
from core.tests.api_fixtures import APIInventory, auth_header
from core.tests.network import leaving, outbound_attempts
from core.tests.openapi import list_paths
from peerkeeper.api_urls import api_router

# Generated requests per operation. With about a hundred operations, the whole module
# runs in about two minutes per database on a 2-core machine.
MAX_EXAMPLES = 60
# What every answer must satisfy.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Existing objects per collection whose ids replace generated ones.
KNOWN_IDS = 4
SCHEMA_PATH = "/api/schema/?format=json"


class InProcessApp:
    """Django's WSGI application, called in this thread on the test's transaction. As
    Django's test client does, a request does not close the database connection when it
    starts and finishes (that would end the test's transaction)."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        started = request_started.disconnect(close_old_connections)
        finished = request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()  # sends request_finished
        finally:
            if started:
                request_started.connect(close_old_connections)
            if finished:
                request_finished.connect(close_old_connections)


def collection_of(path: str) -> str:
    """The collection an operation's path belongs to: `/api/devices/routers/{id}/ping/`
    -> `/api/devices/routers/`."""
    return path.split("{", 1)[0]


def known_ids(client: Client, document: dict[str, Any]) -> dict[str, list[Any]]:
    """For each collection the schema lists, the ids of a few of its objects, read through
    the API itself."""
    return {
        path: [item["id"] for item in client.get(path, {"limit": KNOWN_IDS}).json()["results"]]
        for path in list_paths(document)
    }


def related_ids() -> dict[str, dict[str, list[Any]]]:
    """For each collection, the fields of its serializer that name another object
    (`"router": 3`), each with a few ids of objects that exist."""
    found: dict[str, dict[str, list[Any]]] = {}
    for prefix, viewset, _basename in api_router().registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        if serializer_class is None:
            continue
        fields: dict[str, list[Any]] = {}
        for name, field in serializer_class().fields.items():
            queryset = getattr(field, "queryset", None)
            if isinstance(field, RelatedField) and not field.read_only and queryset is not None:
                fields[name] = list(queryset.order_by("pk").values_list("pk", flat=True)[:2])
        found[f"/api/{prefix}/"] = {name: ids for name, ids in fields.items() if ids}
    return found


def with_existing_references(
    references: dict[str, dict[str, list[Any]]],
) -> Callable[[Any, Any], st.SearchStrategy]:
    """A schemathesis `flatmap_body` hook: the generated body, or the same body whose
    references to other objects name objects that exist."""

    def flatmap_body(context: Any, body: Any) -> st.SearchStrategy:
        fields = references.get(collection_of(context.operation.path), {})
        if not isinstance(body, dict):
            return st.just(body)
        present = {name: ids for name, ids in fields.items() if name in body}
        if not present:
            return st.just(body)
        existing = st.fixed_dictionaries(
            {name: st.sampled_from(ids) for name, ids in present.items()}
        )
        return st.one_of(st.just(body), existing.map(lambda values: {**body, **values}))

    return flatmap_body


def cases(operation: Any, ids: list[Any]) -> st.SearchStrategy:
    """Valid and invalid requests for the operation, and when its path names an object,
    valid ones about each of the objects `ids` names."""
    strategies = [operation.as_strategy(mode) for mode in GenerationMode]
    names = [parameter.name for parameter in operation.path_parameters]
    if ids and names == ["id"]:
        strategies.append(
            st.one_of(
                [
                    operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"id": pk})
                    for pk in ids
                ]
            )
        )
    return st.one_of(strategies)


def fuzz(operation: Any, strategy: st.SearchStrategy, headers: dict[str, str]) -> int:
    """Send MAX_EXAMPLES generated requests to the operation, each in a savepoint rolled
    back after it; raise what the checks found, for the smallest request Hypothesis finds
    that shows it. Returns the number of requests sent."""
    sent = 0

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        nonlocal sent
        sent += 1
        with transaction.atomic():
            case.call_and_validate(headers=headers, checks=CHECKS)
            transaction.set_rollback(True)

    run()
    return sent


def test_every_operation_answers_as_its_schema_says(
    api_inventory: APIInventory, api_key: str
) -> None:
    headers = auth_header(api_key)
    config = schemathesis.Config.from_dict(
        # The token is sent with every request; generated credentials would only meet 401.
        {"generation": {"with-security-parameters": False}}
    )
    schema = schemathesis.openapi.from_wsgi(
        SCHEMA_PATH, InProcessApp(), config=config, headers=headers
    )
    client = Client(headers=headers)
    document = client.get(SCHEMA_PATH).json()
    ids = known_ids(client, document)
    schema.hook(with_existing_references(related_ids()))

    failures: list[str] = []
    sent: dict[str, int] = {}
    with outbound_attempts() as attempts:
        for result in schema.get_all_operations():
            operation = result.ok()
            strategy = cases(operation, ids.get(collection_of(operation.path), []))
            try:
                sent[operation.label] = fuzz(operation, strategy, headers)
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label}:\n{exc}")

    if failures:
        pytest.fail(f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures))
    assert not leaving(attempts), "requests reached beyond this machine"
    # Every collection the API routes was fuzzed, and each operation was sent requests.
    routed = {f"/api/{prefix}/" for prefix, _viewset, _basename in api_router().registry}
    assert routed <= {collection_of(label.split(" ", 1)[1]) for label in sent}
    assert all(count > 0 for count in sent.values()), sent


def test_jobs_the_api_starts_are_queued_and_run_by_nothing_here(
    api_inventory: APIInventory,
    api_client: Client,
    settings: Any,
    django_capture_on_commit_callbacks,
) -> None:
    """Every action that starts a job (each operation of the schema answering 202), on an
    existing object: the job goes to the task backend, the database queue that only a
    worker process takes jobs from, and no test starts one here; nothing is connected to,
    the job stays pending. The routers point at a closed port of loopback besides."""
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    document = api_client.get(SCHEMA_PATH).json()
    ids = known_ids(api_client, document)
    started = []
    with outbound_attempts() as attempts:
        for path, item in document["paths"].items():
            operation = item.get("post")
            if operation is None or "202" not in operation["responses"]:
                continue
            if "{id}" in path:
                path = path.replace("{id}", str(ids[collection_of(path)][0]))
            with django_capture_on_commit_callbacks(execute=True):
                response = api_client.post(path, "{}", content_type="application/json")
            assert response.status_code == 202, (path, response.content[:300])
            started.append(response.json()["id"])
    assert not leaving(attempts)
    assert len(started) >= 8  # ping, render, diff, deploy, poll, discover, sync, refresh
    for job in Job.objects.filter(pk__in=started):
        assert job.task_id, f"{job} was not handed to the task backend"
        assert (job.status, job.started, job.worker_pid) == ("pending", None, None), job
    task_ids = Job.objects.filter(pk__in=started).values_list("task_id", flat=True)
    queued = DBTaskResult.objects.filter(id__in=list(task_ids))
    assert sorted(queued.values_list("status", flat=True)) == ["READY"] * len(started)
