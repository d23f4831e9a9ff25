"""An AS follows PeeringDB: the form keeps edits local, the page says where each value
comes from, the job and the query budget of a synchronisation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.choices import JobStatus
from core.job_runner import run
from core.jobs import enqueue
from core.models import Job
from peering.forms import AutonomousSystemForm
from peering.models import AutonomousSystem
from peeringdb.models import Network, SyncSource
from peeringdb.sync import synchronise
from peeringdb.testserver import LocalPeeringDB, generate

pytestmark = pytest.mark.django_db


def _form_data(system: AutonomousSystem, **changes) -> dict:
    data = {
        "asn": system.asn,
        "name": system.name,
        "ipv4_max_prefixes": system.ipv4_max_prefixes or "",
        "ipv6_max_prefixes": system.ipv6_max_prefixes or "",
        "irr_as_set": system.irr_as_set,
        "peering_policy": system.peering_policy,
        "local_fields": list(system.local_fields),
        "description": system.description,
    }
    data.update(changes)
    return data


@pytest.fixture
def peer_one(local_peeringdb) -> AutonomousSystem:
    system = AutonomousSystem.objects.create(asn=64501, name="Peer One")
    assert synchronise().ok
    system.refresh_from_db()
    return system


def test_a_value_edited_away_from_peeringdb_is_kept_local(peer_one, local_peeringdb) -> None:
    form = AutonomousSystemForm(_form_data(peer_one, ipv4_max_prefixes=90), instance=peer_one)
    assert form.is_valid(), form.errors
    form.save()
    peer_one.refresh_from_db()
    assert peer_one.local_fields == ["ipv4_max_prefixes"]

    local_peeringdb.set_max_prefixes(64501, ipv4=150, ipv6=30)
    assert synchronise().ok
    peer_one.refresh_from_db()
    assert (peer_one.ipv4_max_prefixes, peer_one.ipv6_max_prefixes) == (90, 30)


def test_a_field_no_longer_kept_local_takes_peeringdbs_value_at_once(peer_one) -> None:
    peer_one.ipv4_max_prefixes, peer_one.local_fields = 90, ["ipv4_max_prefixes"]
    peer_one.save()
    form = AutonomousSystemForm(_form_data(peer_one, local_fields=[]), instance=peer_one)
    assert form.is_valid(), form.errors
    form.save()
    peer_one.refresh_from_db()
    assert (peer_one.ipv4_max_prefixes, peer_one.local_fields) == (100, [])
    change = peer_one.changes.filter(field="ipv4_max_prefixes").first()
    assert (change.old_value, change.new_value) == ("90", "100")


def test_an_as_peeringdb_does_not_know_keeps_what_is_typed(local_peeringdb) -> None:
    system = AutonomousSystem.objects.create(asn=65123, name="Private")
    form = AutonomousSystemForm(_form_data(system, ipv4_max_prefixes=5), instance=system)
    assert form.is_valid(), form.errors
    form.save()
    system.refresh_from_db()
    assert (system.ipv4_max_prefixes, system.local_fields) == (5, [])


def test_the_as_page_shows_each_fields_source_and_the_changes(peer_one, admin_client) -> None:
    peer_one.ipv4_max_prefixes, peer_one.local_fields = 90, ["ipv4_max_prefixes"]
    peer_one.save()
    page = admin_client.get(reverse("peering:autonomoussystem", args=[peer_one.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Network record" in text and "Peer One" in text
    assert "<strong>kept local (wins over PeeringDB)</strong>" in text
    assert "follows PeeringDB" in text
    assert "Changes from PeeringDB" in text
    assert "AS-PEERONE" in text  # the recorded change of its AS-SET


def test_the_job_synchronises_and_reports(local_peeringdb) -> None:
    AutonomousSystem.objects.create(asn=64501, name="Peer One", ipv4_max_prefixes=100)
    job = enqueue("peeringdb_sync")
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.COMPLETED, job.error
    assert job.output.startswith("PeeringDB synchronised from http://127.0.0.1:")
    assert job.result["counts"]["net"]["created"] > 0

    local_peeringdb.fail(status=502)
    job = enqueue("peeringdb_sync")
    run(str(job.pk))
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("PeeringDB answered HTTP 502")


def _sync_queries(settings, networks: int) -> int:
    with LocalPeeringDB(data=generate(networks, 3)) as server:
        settings.PEERINGDB_URL = server.url
        AutonomousSystem.objects.all().delete()
        SyncSource.objects.all().delete()  # each size from a server of its own
        AutonomousSystem.objects.bulk_create(
            AutonomousSystem(asn=4200000000 + i, name="x") for i in range(1, networks // 5 + 1)
        )
        with CaptureQueriesContext(connection) as queries:
            assert synchronise(full=True).ok
    return len(queries)


def test_the_query_count_does_not_grow_with_the_objects(settings) -> None:
    assert _sync_queries(settings, 20) == _sync_queries(settings, 200)


def test_saving_the_page_says_what_it_took_from_peeringdb(peer_one, admin_client) -> None:
    # Set behind the form's back (a script, SQL): not kept local, so it follows.
    AutonomousSystem.objects.filter(pk=peer_one.pk).update(ipv4_max_prefixes=777)
    peer_one.refresh_from_db()
    data = _form_data(peer_one, description="changed only this")
    page = admin_client.post(
        reverse("peering:autonomoussystem_edit", args=[peer_one.pk]), data, follow=True
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "From PeeringDB (fields not kept local): AS64501 IPv4 max prefixes: 777 → 100." in text


def test_the_admin_follows_peeringdb_as_the_pages_do(local_peeringdb, admin_client) -> None:
    assert synchronise().ok
    page = admin_client.post(
        reverse("admin:peering_autonomoussystem_add"),
        {"asn": "64503", "name": "Typed", "local_fields": ["name"], "description": ""},
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    system = AutonomousSystem.objects.get(asn=64503)
    assert (system.name, system.ipv4_max_prefixes, system.irr_as_set) == (
        "Typed",
        100,
        "AS-PEERTHREE",
    )


def test_the_page_says_a_value_peeringdb_does_not_give_is_set_here(peer_one, admin_client):
    peer_one.ipv6_max_prefixes = 20
    peer_one.save()
    network = Network.objects.get(asn=64501)
    network.info_prefixes6 = None
    network.save()
    page = admin_client.get(reverse("peering:autonomoussystem", args=[peer_one.pk]))
    assert "set here: PeeringDB gives none" in page.content.decode()


def test_the_admin_says_what_it_took_from_peeringdb(peer_one, admin_client) -> None:
    peer_one.name, peer_one.local_fields = "My Peer One", ["name"]
    peer_one.save()
    page = admin_client.post(
        reverse("admin:peering_autonomoussystem_change", args=[peer_one.pk]),
        _form_data(peer_one, local_fields=[]),
        follow=True,
    )
    assert "From PeeringDB (fields not kept local): AS64501 Name: My Peer One → Peer One." in (
        page.content.decode()
    )
