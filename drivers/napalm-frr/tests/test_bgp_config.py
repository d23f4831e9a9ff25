"""get_bgp_config from a running configuration captured from FRR 8.4."""

from __future__ import annotations

import pytest
from napalm.base import models
from napalm.base.test.helpers import test_model as matches_model
from napalm_frr.bgp_config import bgp_config
from napalm_frr.config_text import strip_header


@pytest.fixture
def running(captured) -> str:
    return strip_header(captured.text("running_config.txt"))


def test_peer_groups_and_ungrouped_neighbours(running):
    config = bgp_config(running)
    assert set(config) == {"_", "IXP"}
    assert set(config["IXP"]["neighbors"]) == {"192.0.2.11"}
    assert set(config["_"]["neighbors"]) == {"192.0.2.98", "192.0.2.99", "2001:db8:1::11"}
    for group in config.values():
        assert matches_model(models.BGPConfigGroupDict, group)
        for neighbor in group["neighbors"].values():
            assert matches_model(models.BGPConfigNeighborDict, neighbor)


def test_neighbour_inherits_the_policies_of_its_group(running):
    p1 = bgp_config(running)["IXP"]["neighbors"]["192.0.2.11"]
    assert (p1["import_policy"], p1["export_policy"]) == ("IXP-IN", "IXP-OUT")
    assert p1["remote_as"] == 64501
    assert p1["local_as"] == 64500
    assert p1["authentication_key"] == "s3cret"
    assert p1["description"] == "p1 over the IXP"
    assert p1["prefix_limit"] == {"inet": {"unicast": {"limit": 100}}}


def test_neighbour_options(running):
    down = bgp_config(running)["_"]["neighbors"]["192.0.2.99"]
    assert down["local_as"] == 64999
    assert down["local_address"] == "192.0.2.1"
    assert down["nhs"] is True
    assert down["remote_as"] == 64599


def test_group_type_follows_its_remote_as():
    config = bgp_config(
        "router bgp 64500\n neighbor CORE peer-group\n neighbor CORE remote-as internal\n"
        " neighbor IX peer-group\n neighbor IX remote-as external\n"
        " neighbor 192.0.2.5 peer-group CORE\nexit\n"
    )
    assert config["CORE"]["type"] == "internal"
    assert config["IX"]["type"] == "external"
    assert config["CORE"]["neighbors"]["192.0.2.5"]["remote_as"] == 64500


def test_group_and_neighbour_filters(running):
    assert list(bgp_config(running, group="IXP")) == ["IXP"]
    only = bgp_config(running, neighbor="2001:db8:1:0::11")
    assert list(only) == ["_"]
    assert list(only["_"]["neighbors"]) == ["2001:db8:1::11"]


def test_vrf_instances_are_not_the_default_instance():
    assert bgp_config("router bgp 64500 vrf CUST\n neighbor 192.0.2.1 remote-as 1\nexit\n") == {}


def test_no_bgp_configured():
    assert bgp_config("frr version 8.4.4\n!\nend\n") == {}


def test_maximum_prefix_with_threshold_and_restart():
    config = bgp_config(
        "router bgp 1\n neighbor 192.0.2.5 remote-as 2\n address-family ipv6 unicast\n"
        "  neighbor 192.0.2.5 maximum-prefix 1000 90 restart 5\n exit-address-family\nexit\n"
    )
    assert config["_"]["neighbors"]["192.0.2.5"]["prefix_limit"] == {
        "inet6": {"unicast": {"limit": 1000, "teardown": {"threshold": 90, "timeout": 300}}}
    }
