"""get_facts from `birdc show status`, the interface list and a few system files."""

from __future__ import annotations

from napalm.base import models
from napalm.base.utils.string_parsers import sorted_nicely
from napalm_frr.ssh_driver import host_facts

from napalm_bird.protocols import status

VENDOR = "BIRD"


def facts(
    show_status: str,
    interfaces: str,
    proc_uptime: str,
    system_fqdn: str,
    product_name: str = "",
    product_serial: str = "",
) -> models.FactsDict:
    """BIRD's hostname and version; uptime, model and serial come from the host.
    `interfaces` is `ls /sys/class/net` (one name a line)."""
    parsed = status(show_status)
    return host_facts(
        vendor=VENDOR,
        os_version=parsed.version,
        hostname=parsed.hostname or system_fqdn.strip().split(".")[0],
        interfaces=sorted_nicely(interfaces.split()),
        proc_uptime=proc_uptime,
        system_fqdn=system_fqdn,
        product_name=product_name,
        product_serial=product_serial,
    )
