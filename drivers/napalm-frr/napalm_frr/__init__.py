"""NAPALM driver for FRRouting."""
