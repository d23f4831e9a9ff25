"""The template filters for routing policies, communities and tags, as templates use them."""

import pytest

from configs.models import ConfigTemplate
from configs.rendering import RenderError, render_router_config
from peering.models import (
    Community,
    Connection,
    DirectPeeringSession,
    InternetExchange,
    InternetExchangePeeringSession,
    RoutingPolicy,
)


@pytest.fixture
def router(make_inventory):
    """r1: IXP sessions 198.18.0.3 (v4, tagged "rs") and 2001:db8:1::3 (v6), direct
    198.51.100.1; the IXP imports "ixp-in" (v4) and "any-in", the router exports
    "to-peers"; communities of every kind."""
    router = make_inventory(ixp_sessions=2, direct_sessions=1)
    standard = Community.objects.create(
        name="From IXP", slug="from-ixp", value="64500:1000", type="ingress"
    )
    large = Community.objects.create(
        name="From IXP large", slug="from-ixp-large", value="64500:1000:1", type="ingress"
    )
    egress = Community.objects.create(
        name="Announced", slug="announced", value="rt:64500:5", type="egress"
    )
    customers = Community.objects.create(name="Customers", slug="customers", value="64500:100")
    ixp_in = RoutingPolicy.objects.create(
        name="IXP in",
        slug="ixp-in",
        type="import",
        address_family=4,
        local_preference=200,
        config_context={"bgp": {"med": 50}},
    )
    ixp_in.set_communities.add(standard)
    any_in = RoutingPolicy.objects.create(name="Any in", slug="any-in", weight=10)
    to_peers = RoutingPolicy.objects.create(name="To peers", slug="to-peers", type="export")
    to_peers.match_communities.add(customers)
    to_peers.tags.add("Tier 1")
    InternetExchange.objects.get().import_routing_policies.add(ixp_in, any_in)
    InternetExchange.objects.get().communities.add(standard, large)
    router.export_routing_policies.add(to_peers)
    router.communities.add(egress)
    InternetExchangePeeringSession.objects.get(ip_address="198.18.0.3").tags.add("rs")
    Connection.objects.get().tags.add("primary")
    DirectPeeringSession.objects.get().tags.add("transit")
    return router


def _render(router, template: str) -> str:
    ConfigTemplate.objects.filter(pk=router.config_template_id).update(template=template)
    router.refresh_from_db()
    return render_router_config(router)


def test_iter_policies_give_a_sessions_policies_by_field_and_family(router) -> None:
    text = _render(
        router,
        "{% for s in ixp_sessions %}{{ s.ip_address }} in={{ s | iter_import_policies('slug')"
        " | join(',') }} in4={{ s | iter_import_policies('slug', 4) | join(',') }}"
        " out={{ s | iter_export_policies('slug') | join(',') }}\n{% endfor %}",
    )
    assert text.splitlines() == [
        "198.18.0.3 in=ixp-in,any-in in4=ixp-in,any-in out=to-peers",
        "2001:db8:1::3 in=any-in in4=any-in out=to-peers",
    ]


def test_config_name_is_the_upper_cased_slug(router) -> None:
    text = _render(
        router,
        "{% for p in routing_policies %}route-map {{ p | config_name }} "
        "{{ p | communities | map('config_name') | join(',') }}\n{% endfor %}",
    )
    assert text.splitlines() == [
        "route-map IXP-IN FROM-IXP",
        "route-map TO-PEERS CUSTOMERS",
        "route-map ANY-IN ",
    ]


def test_communities_select_by_kind_and_type(router) -> None:
    text = _render(
        router,
        "{% set s = ixp_sessions[0] %}"
        "all={{ s | merge_communities | map(attribute='value') | join(',') }}\n"
        "ingress={{ s | ingress_communities | map(attribute='value') | join(',') }}\n"
        "ingress-large={{ s | communities('value', kind='large', type='ingress') | join(',') }}\n"
        "egress={{ s | egress_communities | map(attribute='value') | join(',') }}\n"
        "standard={{ s.communities | of_kind('standard') | map(attribute='slug') | join(',') }}\n",
    )
    assert text.splitlines() == [
        "all=64500:1000,64500:1000:1,rt:64500:5",
        "ingress=64500:1000,64500:1000:1",
        "ingress-large=64500:1000:1",
        "egress=rt:64500:5",
        "standard=from-ixp",
    ]


def test_tags_select_and_test_objects(router) -> None:
    text = _render(
        router,
        "rs={{ sessions | tagged('rs') | map(attribute='ip_address') | join(',') }}\n"
        "not-rs={{ sessions | not_tagged('rs') | map(attribute='ip_address') | join(',') }}\n"
        "{% for s in direct_sessions %}{{ s | has_tag('transit') }} {{ s | has_not_tag('rs') }}"
        " {{ s | tags | join(',') }}\n{% endfor %}"
        "{{ routing_policies[1] | has_tag('Tier 1') }}"
        " {{ internet_exchanges[0].connections[0] | has_tag('primary') }}\n",
    )
    assert text.splitlines() == [
        "rs=198.18.0.3",
        "not-rs=2001:db8:1::3,198.51.100.1",
        "True True transit",
        "True True",
    ]


def test_context_keys_of_a_policy(router) -> None:
    text = _render(
        router,
        "{% for p in routing_policies %}{{ p.slug }} {{ p | context_has_key('med') }}"
        " {{ p | context_has_key('med', recursive=false) }}"
        " {{ p | context_get_key('med', 0) }}\n{% endfor %}",
    )
    assert text.splitlines() == [
        "ixp-in True False 50",
        "to-peers False False 0",
        "any-in False False 0",
    ]


def test_policy_filters_on_what_is_not_a_session_are_errors(router) -> None:
    with pytest.raises(RenderError, match="only a session has import policies"):
        _render(router, "{{ router | iter_import_policies }}")
