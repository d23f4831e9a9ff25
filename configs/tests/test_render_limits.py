"""A template is user input that runs code: whatever it does costs one render, with an
error that names it, and never the process that asked for the render."""

import io
import resource

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from configs import rendering
from configs.models import ConfigTemplate
from configs.rendering import RenderError, render_router_config
from peering.models import AutonomousSystem, InternetExchangePeeringSession

RUNAWAY_TEMPLATES = {
    "recursive macro": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself"),
    "huge string": ("{{ 'x' * 1000000000 }}", "RENDER_MEMORY_LIMIT"),
    "huge output": (
        "{% for i in range(100000) %}{{ 'y' * 1000 }}{% endfor %}",
        "RENDER_MAX_OUTPUT",
    ),
    "endless loop": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "RENDER_TIME_LIMIT",
    ),
}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture
def tight_limits(settings):
    settings.RENDER_TIME_LIMIT = 2
    settings.RENDER_MAX_OUTPUT = 1_000_000
    settings.RENDER_MEMORY_LIMIT = 256


@pytest.mark.parametrize("case", sorted(RUNAWAY_TEMPLATES))
def test_a_runaway_template_fails_with_its_name_and_leaves_this_process_alone(
    make_inventory, tight_limits, case: str
) -> None:
    source, expected = RUNAWAY_TEMPLATES[case]
    router = make_inventory(template=source)
    before = _peak_rss_mb()
    with pytest.raises(RenderError) as caught:
        render_router_config(router)
    assert caught.value.template == "main"
    assert expected in str(caught.value)
    # The work happened in a render process: this one did not grow by the string.
    assert _peak_rss_mb() - before < 100
    # And the next render works.
    ConfigTemplate.objects.filter(name="main").update(template="router bgp {{ local_as.asn }}")
    assert render_router_config(router) == "router bgp 64500"


def test_a_template_that_includes_itself_is_an_error_naming_it(make_inventory) -> None:
    router = make_inventory(template='start\n{% include "main" %}')
    with pytest.raises(RenderError, match="template “main” line 2: the template calls itself"):
        render_router_config(router)


def test_the_recursion_error_reaches_the_command_as_one_sentence(make_inventory) -> None:
    make_inventory(template="{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")
    with pytest.raises(CommandError) as caught:
        call_command("render_configuration", "r1", stdout=io.StringIO())
    assert str(caught.value).startswith("template “main” line 1: the template calls itself")
    assert "Traceback" not in str(caught.value)


def test_the_configuration_page_shows_the_error_instead_of_failing(
    make_inventory, admin_user
) -> None:
    router = make_inventory(template="{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")
    client = Client()
    client.force_login(admin_user)
    response = client.get(reverse("devices:router_configuration", args=[router.pk]))
    assert response.status_code == 200
    assert "the template calls itself" in response.content.decode()


def test_a_killed_render_process_is_replaced(make_inventory, tight_limits) -> None:
    # Work the alarm cannot interrupt (one long C call) is stopped by killing the process.
    router = make_inventory(template="{{ (10 ** 10000000) % 7 }}")
    with pytest.raises(RenderError, match="RENDER_TIME_LIMIT"):
        render_router_config(router)
    ConfigTemplate.objects.filter(name="main").update(template="ok {{ router.name }}")
    assert render_router_config(router) == "ok r1"


# Every way a template may turn a missing value into text (or a number): printed, joined,
# filtered, formatted, or inside a list or mapping.
UNSET = "sessions[0].multihop_ttl"
UNSET_FORMS = [
    "{{ sessions[0].autonomous_system.ipv6_max_prefixes }}",
    "{{ sessions[0] | max_prefix }}",
    "{{ 'ttl ' ~ UNSET }}",
    "{{ sessions[0].password }}",
    "{{ sessions[0].password | quote }}",
    "{{ UNSET | int }}",
    "{{ UNSET | float }}",
    "{{ UNSET | string }}",
    "{{ sessions[0].password | safe_string }}",
    "{{ UNSET | upper }}",
    "{{ UNSET | trim }}",
    "{{ UNSET | replace('a', 'b') }}",
    "{{ 'x' | replace('x', UNSET) }}",
    "{{ UNSET | center(9) }}",
    "{{ UNSET | urlencode }}",
    "{{ UNSET | tojson }}",
    "{{ '%s' | format(UNSET) }}",
    "{{ '%s' % UNSET }}",
    "{{ '%s %s' % (1, UNSET) }}",
    "{{ '{}'.format(UNSET) }}",
    "{{ '{a}'.format_map({'a': UNSET}) }}",
    "{{ [UNSET] }}",
    "{{ (UNSET, 1) }}",
    "{{ [1, UNSET] | join(',') }}",
    "{{ {'k': UNSET} }}",
    "{{ sessions | map(attribute='multihop_ttl') | join(' ') }}",
    "{{ sessions | map(attribute='multihop_ttl') | unique | join(' ') }}",
    "{{ '{0[multihop_ttl]}'.format(sessions[0]) }}",
    "{{ '{s.multihop_ttl}'.format(s=sessions[0]) }}",
    "{{ [UNSET] | string }}",
    "{{ [UNSET] | pprint }}",
    "{{ [UNSET] | safe_string }}",
    "{{ [UNSET] | quote }}",
    "{{ 'x' ~ [UNSET] }}",
    "{{ [[UNSET]] }}",
    "{{ {'k': [UNSET]} }}",
    "{{ [sessions[0]] }}",
    "{{ sessions[0].items() | list }}",
    "{{ sessions[0] | dictsort }}",
    "{{ sessions[0] | tojson }}",
    "{{ sessions[0] | as_json }}",
    "{{ sessions[0] | as_yaml }}",
    "{% filter upper %}{{ [[UNSET]] }}{% endfilter %}",
    "{% set ns = namespace(a=UNSET) %}{{ ns.a }}",
    "{{ (sessions | batch(1) | list)[0] }}",
]


@pytest.mark.parametrize("template", UNSET_FORMS)
def test_no_form_of_a_missing_value_becomes_text(make_inventory, template: str) -> None:
    router = make_inventory(template="line one\n" + template.replace("UNSET", UNSET))
    AutonomousSystem.objects.update(ipv4_max_prefixes=None, ipv6_max_prefixes=None)
    with pytest.raises(RenderError, match="template “main” line 2: .*not set \\(None\\)"):
        render_router_config(router)


def test_the_values_that_are_set_print_beside_those_that_are_not(make_inventory) -> None:
    router = make_inventory(
        template="{{ '{ip_address}'.format_map(sessions[0]) }} {{ '%(ip_address)s' % sessions[0] }}"
        " {{ sessions[0].multihop_ttl | default('none') }}"
        " {{ sessions[0].multihop_ttl == none }}"
    )
    assert render_router_config(router) == "198.18.0.3 198.18.0.3 none True"


def test_filters_that_select_or_count_may_see_missing_values(make_inventory) -> None:
    router = make_inventory(
        template="{{ sessions | map(attribute='multihop_ttl') | select | list | length }}"
        " {{ sessions | map(attribute='multihop_ttl') | reject('none') | join(',') }}"
        " {{ sessions[0].multihop_ttl is none }} {{ sessions[0].multihop_ttl | default(0, true) }}"
    )
    assert render_router_config(router) == "0  True 0"


@pytest.mark.parametrize(
    ("template", "missing"),
    [
        ("maximum-prefix {{ sessions[0].autonomous_system.ipv6_max_prefixes }}", "line 1"),
        ("x\nneighbor {{ 'ttl ' ~ sessions[0].multihop_ttl }}", "line 2"),
    ],
)
def test_a_value_the_inventory_does_not_have_never_becomes_text(
    make_inventory, template: str, missing: str
) -> None:
    router = make_inventory(template=template)
    AutonomousSystem.objects.update(ipv4_max_prefixes=None, ipv6_max_prefixes=None)
    with pytest.raises(RenderError, match=f"template “main” {missing}: a value that is not set"):
        render_router_config(router)


def test_absence_made_explicit_renders(make_inventory) -> None:
    router = make_inventory(
        template="{{ sessions[0] | max_prefix | default('none', true) }}"
        "{% if sessions[0].password %}x{% endif %}"
    )
    AutonomousSystem.objects.update(ipv4_max_prefixes=None, ipv6_max_prefixes=None)
    assert render_router_config(router) == "none"


def test_a_limit_is_reported_after_one_render_even_with_passwords(
    make_inventory, tight_limits, monkeypatch
) -> None:
    # The sandbox's own sentences quote nothing: no second render to check the message.
    router = make_inventory(template=RUNAWAY_TEMPLATES["endless loop"][0])
    session = InternetExchangePeeringSession.objects.first()
    session.password = "a-secret"
    session.save()
    calls = []
    real_render = rendering._render
    monkeypatch.setattr(
        rendering, "_render", lambda request: calls.append(1) or real_render(request)
    )
    with pytest.raises(RenderError, match="RENDER_TIME_LIMIT"):
        render_router_config(router)
    assert len(calls) == 1
