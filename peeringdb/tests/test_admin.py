"""The PeeringDB mirror's admin lists: a row whose referenced object the mirror lacks (the
references have no database constraint) is listed all the same, with the reference's id."""

from __future__ import annotations

import pytest

from peeringdb.models import IXLan, IXLanPrefix, NetworkIXLan
from peeringdb.tests.factories import WHEN, demo_ixlan, network

MISSING = 987654  # the id of an IX, an IX LAN the mirror lacks


@pytest.fixture
def orphans(db) -> None:
    """The demo's IX LAN, and a row of each kind that refers to an object the mirror lacks."""
    demo_ixlan()
    stamps = {"created": WHEN, "updated": WHEN}
    IXLan.objects.create(id=4001, ix_id=MISSING, name="Orphan LAN", **stamps)
    IXLanPrefix.objects.create(
        id=4002, ixlan_id=MISSING, prefix="203.0.113.0/24", protocol="IPv4", **stamps
    )
    NetworkIXLan.objects.create(
        id=4003,
        ixlan_id=MISSING,
        net=network(64520, "Orphan Peer"),
        ix_id=MISSING,
        asn=64520,
        ipaddr4="203.0.113.20",
        **stamps,
    )


@pytest.mark.parametrize(
    ("model", "shown"),
    [
        ("ixlan", ["Orphan LAN", str(MISSING)]),
        ("ixlanprefix", ["203.0.113.0/24", str(MISSING)]),
        ("networkixlan", ["64520", "203.0.113.20", str(MISSING)]),
    ],
)
def test_a_row_whose_reference_is_missing_is_listed(orphans, admin_client, model, shown) -> None:
    response = admin_client.get(f"/admin/peeringdb/{model}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in shown:
        assert text in html
    # The demo's rows, whose references are there, are listed too.
    count = {"ixlan": 2, "ixlanprefix": 3, "networkixlan": 12}[model]
    assert response.context["cl"].result_count == count
    assert len(response.context["cl"].result_list) == count
