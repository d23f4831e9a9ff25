"""optional_args: defaults, paths on the router, and errors for values that cannot work."""

from __future__ import annotations

import pytest
from napalm_frr import FRRDriver
from napalm_frr.options import DriverOptions


def test_defaults_match_a_debian_frr():
    options = DriverOptions.from_args(None)
    assert options.port == 22
    assert options.config_file == "/etc/frr/frr.conf"
    assert options.state_dir == "/etc/frr/napalm-frr"
    assert options.run_dir == options.state_dir
    assert options.frr_reload == "/usr/lib/frr/frr-reload.py"
    assert not options.sudo


def test_state_lives_next_to_the_configuration_file():
    options = DriverOptions.from_args({"config_file": "/srv/r1/frr.conf", "port": "2222"})
    assert options.state_dir == "/srv/r1/napalm-frr"
    assert options.port == 2222


def test_config_dir_alone_names_the_configuration_file():
    options = DriverOptions.from_args({"config_dir": "/srv/r1", "run_dir": "/srv/r1/run"})
    assert options.config_file == "/srv/r1/frr.conf"
    assert options.run_dir == "/srv/r1/run"


def test_unknown_keys_are_ignored():
    # NAPALM_ARGS are shared by every platform of an installation
    assert DriverOptions.from_args({"transport": "ssh", "secret": "x"}).port == 22


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"config_file": "/etc/frr/bgpd.conf"}, "frr.conf"),
        ({"config_file": "frr.conf"}, "absolute"),
        ({"vty_socket": "run/frr"}, "absolute"),
        ({"config_dir": "/a", "config_file": "/b/frr.conf"}, "config_dir"),
        ({"port": "ssh"}, "port"),
        ({"sudo": "maybe"}, "sudo"),
    ],
)
def test_values_that_cannot_work_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        DriverOptions.from_args(args)


def test_flags_accept_strings():
    assert DriverOptions.from_args({"sudo": "yes", "ssh_strict": "false"}).sudo is True


def test_sudo_prefixes_router_commands():
    driver = FRRDriver("r1", "u", "p", optional_args={"sudo": True, "vty_socket": "/run/x"})
    command = driver.router.batch(["true"])
    assert command.startswith("sudo -n sh -c ")
    assert "vtysh --config_dir /etc/frr --vty_socket /run/x" in command
