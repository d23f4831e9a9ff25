"""BGP community values: each kind parsed, written one way, and bad values refused clearly."""

import pytest
from django.core.exceptions import ValidationError

from peering.communities import parse_community
from peering.models import Community, RoutingPolicy


@pytest.mark.parametrize(
    ("text", "kind", "canonical"),
    [
        ("64500:100", "standard", "64500:100"),
        (" 0:0 ", "standard", "0:0"),
        ("65535:65281", "standard", "65535:65281"),
        ("rt:64500:100", "extended", "rt:64500:100"),
        ("RT:64500:4294967295", "extended", "rt:64500:4294967295"),
        ("target:4200000000:5", "extended", "rt:4200000000:5"),
        ("origin:64500:7", "extended", "soo:64500:7"),
        ("soo:192.0.2.1:65535", "extended", "soo:192.0.2.1:65535"),
        ("64500:1:2", "large", "64500:1:2"),
        ("4294967295:4294967295:4294967295", "large", "4294967295:4294967295:4294967295"),
        ("064500:0100", "standard", "64500:100"),
    ],
)
def test_each_kind_is_recognised_and_written_one_way(text, kind, canonical):
    parsed = parse_community(text)
    assert (parsed.kind, parsed.text) == (kind, canonical)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("65536:1", "each half must be a number from 0 to 65535"),
        ("64500:-1", "each half"),
        ("64500", "is not a standard community"),
        ("1:2:3:4", "is not a standard community"),
        ("4294967296:1:1", "each part must be a number from 0 to 4294967295"),
        ("rt:4200000000:70000", "the value after this ASN must be a number from 0 to 65535"),
        ("rt:4294967296:1", "the ASN must be a number"),
        ("rt:192.0.2.300:1", "is neither an ASN nor an IPv4 address"),
        ("soo:192.0.2.1:65536", "the value after an IPv4 address"),
        ("rt:64500", "is not a standard community"),
        ("no-export", "is not a standard community"),
        ("", "is not a standard community"),
    ],
)
def test_a_bad_value_is_refused_with_what_is_wrong(text, says):
    with pytest.raises(ValidationError) as error:
        parse_community(text)
    assert says in error.value.messages[0]
    assert repr(text) in error.value.messages[0]


@pytest.mark.django_db
def test_a_community_is_stored_canonical_with_its_kind_and_refused_twice():
    community = Community(name="Transit", slug="transit", value=" RT:64500:10 ")
    community.full_clean()
    community.save()
    community.refresh_from_db()
    assert (community.value, community.kind) == ("rt:64500:10", "extended")

    again = Community(name="Other", slug="other", value="target:64500:10")
    with pytest.raises(ValidationError) as error:
        again.full_clean()
    assert "value" in error.value.message_dict


@pytest.mark.django_db
def test_a_bad_value_is_one_error_on_the_value_field():
    with pytest.raises(ValidationError) as error:
        Community(name="Bad", slug="bad", value="64500:70000").full_clean()
    assert error.value.message_dict == {
        "value": ["'64500:70000': each half must be a number from 0 to 65535."]
    }


@pytest.mark.django_db
def test_a_policy_refuses_an_action_its_direction_cannot_take():
    export = RoutingPolicy(name="Out", slug="out", type="export", local_preference=200)
    with pytest.raises(ValidationError) as error:
        export.full_clean()
    assert "local_preference" in error.value.message_dict

    inbound = RoutingPolicy(name="In", slug="in", type="import", as_path_prepend=2)
    with pytest.raises(ValidationError) as error:
        inbound.full_clean()
    assert "as_path_prepend" in error.value.message_dict

    RoutingPolicy(name="Both", slug="both", local_preference=200, as_path_prepend=2).full_clean()
