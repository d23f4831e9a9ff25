"""NAPALM driver for BIRD 2: NAPALM finds it as "bird" (`napalm.get_network_driver("bird")`)."""

from napalm_bird.driver import BIRDDriver

__all__ = ["BIRDDriver"]
