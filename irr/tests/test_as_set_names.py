"""Which IRR objects an AS-SET field names: what bgpq4 is asked, and what the form takes."""

import pytest

from core.validators import irr_objects
from irr.prefix_lists import as_set_of
from peering.forms import AutonomousSystemForm


@pytest.mark.parametrize(
    ("field", "objects"),
    [
        ("AS-PEERONE", "AS-PEERONE"),
        ("as-peerone", "AS-PEERONE"),
        ("RIPE::AS-FOO", "RIPE::AS-FOO"),
        ("AS-FOO@RADB", "RADB::AS-FOO"),  # bgpq4 does not read "@SOURCE"
        ("AS-FOO, AS-FOO-V6", "AS-FOO AS-FOO-V6"),  # both expanded, together
        ("AS64500:AS-CUSTOMERS AS-FOO AS-FOO", "AS64500:AS-CUSTOMERS AS-FOO"),
        ("AS64501", "AS64501"),
        ("", "AS64501"),  # none: the AS itself
    ],
)
def test_the_objects_an_as_is_expanded_from(field: str, objects: str) -> None:
    assert as_set_of(64501, field) == objects


@pytest.mark.parametrize("field", ["-R32", "-h", "--", "64503", "AS-X;id", "$(touch x)", "AS-"])
def test_anything_else_is_not_an_irr_object(field: str) -> None:
    with pytest.raises(ValueError, match="is not an IRR object name"):
        irr_objects(field)


def test_the_form_refuses_what_bgpq4_could_read_as_an_option(db) -> None:
    form = AutonomousSystemForm({"asn": "64501", "name": "Peer One", "irr_as_set": "-R32"})
    assert not form.is_valid()
    assert "'-R32' is not an IRR object name" in form.errors["irr_as_set"][0]
    form = AutonomousSystemForm({"asn": "64501", "name": "Peer One", "irr_as_set": "RIPE::AS-X"})
    assert form.is_valid(), form.errors
