import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from configs.models import ConfigTemplate
from configs.rendering import RenderError, render_router_config
from core.choices import Status
from peering.models import (
    AutonomousSystem,
    DirectPeeringSession,
    InternetExchangePeeringSession,
)

SESSIONS_TEMPLATE = """\
router bgp {{ local_as.asn }}
{% for session in sessions | enabled %}
 neighbor {{ session.ip_address }} remote-as {{ session.autonomous_system.asn }}
{% endfor %}
{% for session in sessions | ipv4 %}
 v4 {{ session.ip_address }} max {{ session | max_prefix(0) }}
{% endfor %}
"""


def _render_counting_queries(router) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        text = render_router_config(router)
    return text, len(queries)


def _replace_sessions(router, count: int) -> None:
    InternetExchangePeeringSession.objects.all().delete()
    DirectPeeringSession.objects.all().delete()
    AutonomousSystem.objects.filter(asn__gte=70000).delete()
    peers = AutonomousSystem.objects.bulk_create(
        AutonomousSystem(asn=70000 + i, name=f"Bulk {i}") for i in range(count)
    )
    InternetExchangePeeringSession.objects.bulk_create(
        InternetExchangePeeringSession(
            ixp_connection=router.connections.get(),
            autonomous_system=peers[i],
            ip_address=f"198.18.{i // 250 + 10}.{i % 250 + 1}",
        )
        for i in range(count)
    )


def test_query_count_for_2_sessions_equals_the_one_for_2000(make_inventory) -> None:
    router = make_inventory(template=SESSIONS_TEMPLATE)
    _replace_sessions(router, 2)
    small_text, small_queries = _render_counting_queries(router)
    _replace_sessions(router, 2000)
    big_text, big_queries = _render_counting_queries(router)
    assert small_text.count("remote-as") == 2
    assert big_text.count("remote-as") == 2000
    assert big_queries == small_queries


def test_context_holds_sessions_by_ixp_and_group_with_max_prefixes(make_inventory) -> None:
    router = make_inventory(
        ixp_sessions=2,
        direct_sessions=1,
        template=(
            "{% for ixp in internet_exchanges %}{{ ixp.name }}:"
            "{% for s in ixp.sessions %} {{ s.ip_address }}/{{ s | max_prefix }}{% endfor %}\n"
            "{% endfor %}"
            "{% for group in bgp_groups %}{{ group.slug }}:"
            "{% for s in group.sessions %} {{ s.ip_address }} from {{ s.local_as.asn }}"
            "{% endfor %}\n{% endfor %}"
            "peers: {{ autonomous_systems | map(attribute='asn') | join(',') }}\n"
        ),
    )
    ConfigTemplate.objects.filter(name="main").update(trim_blocks=False)
    assert render_router_config(router) == (
        "IX: 198.18.0.3/100 2001:db8:1::3/10\n"
        "transit: 198.51.100.1 from 64500\n"
        "peers: 65000,65001\n"
    )


def test_disabled_sessions_are_filtered_by_enabled(make_inventory) -> None:
    router = make_inventory(ixp_sessions=2, direct_sessions=0, template=SESSIONS_TEMPLATE)
    InternetExchangePeeringSession.objects.filter(ip_address="198.18.0.3").update(
        status=Status.DISABLED
    )
    text = render_router_config(router)
    assert "neighbor 198.18.0.3" not in text
    assert "neighbor 2001:db8:1::3" in text


def test_session_passwords_reach_the_template_decrypted(make_inventory) -> None:
    router = make_inventory(
        ixp_sessions=1, direct_sessions=0, template="{{ sessions[0].password }}"
    )
    session = InternetExchangePeeringSession.objects.get()
    session.password = "s3cret-md5"
    session.save()
    assert render_router_config(router) == "s3cret-md5"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("'192.0.2.1/24' | address", "192.0.2.1"),
        ("'192.0.2.1/24' | network", "192.0.2.0/24"),
        ("'2001:db8::1/64' | prefix_length", "64"),
        ("'2001:db8::1' | ip_version", "6"),
        ("'say \"hi\"' | quote", '"say \\"hi\\""'),
        ("'Peer; rm -rf /\n\"x\"' | safe_string", "Peer rm -rf / x"),
        ("{'b': 1, 'a': [1, 2]} | as_json", '{"a": [1, 2], "b": 1}'),
        ("{'a': 1} | as_yaml", "a: 1\n"),
        ("'line1\nline2' | indent(2)", "line1\n  line2"),
        ("sessions | ipv6 | map(attribute='ip_address') | join", "2001:db8:1::3"),
        ("sessions | ip_version(4) | length", "2"),
        ("sessions | of_ixp('ix') | length", "2"),
        ("sessions | of_group('transit') | length", "1"),
        ("sessions[0] | max_prefix", "100"),
    ],
)
def test_filters(make_inventory, expression: str, expected: str) -> None:
    router = make_inventory(ixp_sessions=2, direct_sessions=1, template=f"{{{{ {expression} }}}}")
    assert render_router_config(router) == expected


def test_an_undefined_variable_names_the_template_and_line(make_inventory) -> None:
    router = make_inventory(template="router bgp {{ local_as.asn }}\n neighbor {{ peer_ip }}\n")
    with pytest.raises(RenderError) as caught:
        render_router_config(router)
    assert (caught.value.template, caught.value.line) == ("main", 2)
    assert "'peer_ip' is undefined" in str(caught.value)


def test_a_syntax_error_names_the_template_and_line(make_inventory) -> None:
    router = make_inventory(template="line one\n{% for s in sessions %}\n{{ s.ip_address }\n")
    with pytest.raises(RenderError, match="template “main” line 3"):
        render_router_config(router)


def test_templates_include_other_templates_by_name(make_inventory) -> None:
    ConfigTemplate.objects.create(name="header", template="! managed for {{ router.name }}\n")
    router = make_inventory(template='{% include "header" %}router bgp {{ local_as.asn }}\n')
    assert render_router_config(router) == "! managed for r1\nrouter bgp 64500\n"


def test_an_error_inside_an_included_template_names_that_template(make_inventory) -> None:
    ConfigTemplate.objects.create(name="broken", template="ok\n{{ nothing.here }}\n")
    router = make_inventory(template='first\n{% include "broken" %}\n')
    with pytest.raises(RenderError, match="template “broken” line 2"):
        render_router_config(router)


def test_a_missing_include_is_reported(make_inventory) -> None:
    router = make_inventory(template='{% include "nope" %}')
    with pytest.raises(RenderError, match="includes “nope”, which does not exist"):
        render_router_config(router)


def test_the_sandbox_refuses_python_internals(make_inventory) -> None:
    router = make_inventory(template="{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(RenderError, match="unsafe|has no attribute"):
        render_router_config(router)


def test_trim_and_lstrip_blocks_follow_the_template(make_inventory) -> None:
    router = make_inventory(template="a\n  {% if true %}\nb\n  {% endif %}\nc\n")
    assert render_router_config(router) == "a\nb\nc\n"
    template = router.config_template
    template.trim_blocks = template.lstrip_blocks = False
    template.save()
    assert render_router_config(router) == "a\n  \nb\n  \nc\n"


def test_render_configuration_prints_the_config(make_inventory) -> None:
    make_inventory(template="router bgp {{ local_as.asn }}\n")
    out = io.StringIO()
    call_command("render_configuration", "r1", stdout=out)
    assert out.getvalue() == "router bgp 64500\n"


def test_render_configuration_fails_with_template_and_line(make_inventory) -> None:
    make_inventory(template="ok\n{{ missing }}\n")
    with pytest.raises(CommandError, match="template “main” line 2: 'missing' is undefined"):
        call_command("render_configuration", "r1")


def test_the_demo_template_renders_the_demo_inventory(db) -> None:
    call_command("load_demo", stdout=io.StringIO())
    from devices.models import Router

    text = render_router_config(Router.objects.get(name="r1"))
    assert "router bgp 64500" in text
    assert " neighbor 192.0.2.13 remote-as 64503" in text
    assert "  neighbor 192.0.2.12 maximum-prefix 12000" in text
    assert "  neighbor 2001:db8:1::11 activate" in text
