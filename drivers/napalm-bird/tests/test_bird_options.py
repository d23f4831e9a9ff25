"""optional_args: defaults, paths on the router, refusals naming the key."""

from __future__ import annotations

import pytest
from napalm_bird.options import DriverOptions


def test_defaults_follow_debians_bird():
    options = DriverOptions.from_args(None)
    assert options.config_file == "/etc/bird/bird.conf"
    assert options.include_file == "/etc/bird/napalm-bird.conf"
    assert options.state_dir == "/etc/bird/napalm-bird"
    assert options.birdc_socket is None and options.port == 22


def test_include_and_state_follow_the_configuration_file():
    options = DriverOptions.from_args({"config_file": "/srv/bird/main.conf", "sudo": "yes"})
    assert options.include_file == "/srv/bird/napalm-bird.conf"
    assert options.state_dir == "/srv/bird/napalm-bird"
    assert options.sudo


@pytest.mark.parametrize(
    ("args", "key"),
    [
        ({"config_file": "bird.conf"}, "config_file"),
        ({"include_file": '/etc/bird/a"b.conf'}, "include_file"),
        ({"port": "ssh"}, "port"),
        ({"sudo": "maybe"}, "sudo"),
        ({"include_file": "/etc/bird/bird.conf"}, "include_file"),
    ],
)
def test_unusable_values_are_refused_naming_the_key(args, key):
    with pytest.raises(ValueError, match=key):
        DriverOptions.from_args(args)
