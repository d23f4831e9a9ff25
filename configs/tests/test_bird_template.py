"""configs/platforms/bird.j2: rendered from a context of the shape configs/context.py
gives, then parsed by BIRD itself (`bird -p`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from configs.models import ConfigTemplate
from configs.rendering import render_template
from configs.tests.bird_context import context
from configs.tests.platform_checks import BIRD, bird_parse

BIRD_TEMPLATE = Path(__file__).resolve().parents[1] / "platforms" / "bird.j2"


def render(ctx: dict) -> str:
    template = ConfigTemplate(
        name="bird", template=BIRD_TEMPLATE.read_text(), trim_blocks=True, lstrip_blocks=True
    )
    return render_template(template, ctx)


needs_bird = pytest.mark.skipif(not Path(BIRD).exists(), reason="BIRD 2 (bird2) is not installed")


@needs_bird
@pytest.mark.parametrize("tags", [[], ["route-server"]])
def test_bird_parses_the_rendered_configuration(db, tmp_path, tags) -> None:
    text = render(context(tags))
    parsed = bird_parse(text, tmp_path)
    assert parsed.returncode == 0, parsed.stderr + text


@needs_bird
def test_bird_rejects_what_the_test_would_miss(db, tmp_path) -> None:
    """The parse check is real: a broken filter fails it."""
    parsed = bird_parse(render(context()) + "filter BROKEN { bgp_nonsense = 1; }\n", tmp_path)
    assert parsed.returncode != 0


@needs_bird
def test_a_password_bird_cannot_hold_fails_birds_check(db, tmp_path) -> None:
    ctx = context()
    ctx["sessions"][3]["password"] = 'se"cret'
    text = render(ctx)
    assert 'se"cret' not in text
    assert bird_parse(text, tmp_path).returncode != 0


def _block(text: str, start: str) -> str:
    begin = text.index(start)
    return text[begin : text.index("\n}\n", begin) + 3]


def test_a_protocol_per_enabled_session_with_family_filters_and_limits(db) -> None:
    ctx = context()
    ctx["sessions"][2]["enabled"] = False
    text = render(ctx)
    assert text.count("protocol bgp ") == 3
    assert "192.0.2.12" not in _block(text, "protocol bgp AS64501_192_0_2_11")
    v4 = _block(text, "protocol bgp AS64501_192_0_2_11 {")
    assert "local 192.0.2.100 as 65100;" in v4
    assert "neighbor 192.0.2.11 as 64501;" in v4
    assert "ipv4 {" in v4 and "import limit 100 action restart;" in v4
    v6 = _block(text, "protocol bgp AS64501_2001_DB8_1__11 {")
    assert "ipv6 {" in v6 and "import limit 10 action restart;" in v6
    direct = _block(text, "protocol bgp AS64504_198_51_100_1 {")
    assert 'password "se cret\\";' in direct  # BIRD's strings have no escapes
    assert "multihop 2;" in direct
    assert "rs client" not in text


def test_irr_lists_become_prefix_sets_applied_on_import(db) -> None:
    text = render(context())
    assert "define IRR_AS_PEERONE_V4 = [\n  203.0.113.0/30,\n  203.0.112.0/22{24,24}\n];" in text
    assert "2001:db8:100::/40{48,48}" in text
    assert "if !(net ~ IRR_AS_PEERONE_V4) then reject;" in _block(
        text, "filter IMPORT_AS64501_192_0_2_11"
    )
    # AS64502 registers nothing: its session accepts nothing; AS64504 was never fetched
    assert "  reject;\n" in _block(text, "filter IMPORT_AS64502_192_0_2_12")
    assert "AS64504 is not filtered by prefix set" not in text  # a direct session: no IRR
    assert "net ~" not in _block(text, "filter IMPORT_AS64504_198_51_100_1")


def test_policies_match_and_set_every_community_kind(db) -> None:
    text = render(context())
    prefer = _block(text, "filter IMPORT_AS64501_192_0_2_11")
    assert (
        "  if (64500,666) ~ bgp_community || (65100,1,2) ~ bgp_large_community"
        " || (rt, 65100, 7) ~ bgp_ext_community then {\n"
    ) in prefer
    assert "bgp_local_pref = 200;" in prefer
    assert "bgp_large_community.add((65100,1,2));" in prefer
    assert "bgp_ext_community.add((ro, 192.0.2.100, 9));" in prefer
    prepend = _block(text, "filter EXPORT_AS64501_192_0_2_11")
    assert prepend.count("bgp_path.prepend(65100);") == 2
    # Each policy is written into the filters of the sessions that use it, no function.
    assert "function " not in text


def test_sessions_use_their_policies_of_their_family_and_communities(db) -> None:
    text = render(context())
    v4_in = _block(text, "filter IMPORT_AS64501_192_0_2_11")
    # The first policy that accepts a route ends the filter, tagged after its sets and
    # its match; none: rejected.
    assert v4_in.endswith(
        "    bgp_ext_community.add((ro, 192.0.2.100, 9));\n"
        "    bgp_community.add((64500,666));\n    accept;\n  }\n  reject;\n}\n"
    )
    assert "v6-only" not in v4_in  # an IPv6 policy stays off IPv4 sessions
    assert "(rt, 65100, 7)) ;" not in v4_in
    assert "65100,9999" not in text  # a community of no type: the template leaves it
    v4_out = _block(text, "filter EXPORT_AS64501_192_0_2_11")
    assert "  # prepend-2\n" in v4_out
    assert v4_out.count("bgp_ext_community.add((rt, 65100, 7));") == 1  # set and egress: once
    v6_in = _block(text, "filter IMPORT_AS64501_2001_DB8_1__11")
    assert v6_in.index("# prefer-ix") < v6_in.index("# v6-only")
    # v6-only matches every route: it ends the filter, with no reject after it.
    assert v6_in.endswith(
        "  bgp_local_pref = 50;\n  bgp_large_community.add((65100,1,2));\n  accept;\n}\n"
    )


def test_route_server_tag_makes_rs_clients(db) -> None:
    text = render(context(["route-server"]))
    assert text.count("rs client;") == 4
    assert "rs client;" not in render(context())


def test_a_session_without_policies_passes_every_route(db) -> None:
    text = render(context())
    assert _block(text, "filter EXPORT_AS64502_192_0_2_12") == (
        "filter EXPORT_AS64502_192_0_2_12\n{\n  accept;\n}\n"
    )
