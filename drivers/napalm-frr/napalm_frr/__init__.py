"""NAPALM driver for FRRouting: `napalm.get_network_driver("frr")` loads FRRDriver."""

from napalm_frr.driver import FRRDriver

__all__ = ["FRRDriver"]
