"""get_facts from `birdc show status`, the interface list and a few system files."""

from __future__ import annotations

from napalm.base import models
from napalm.base.utils.string_parsers import sorted_nicely

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
    fqdn = system_fqdn.strip()
    hostname = parsed.hostname or fqdn.split(".")[0]
    return {
        "uptime": float(proc_uptime.split()[0]) if proc_uptime.strip() else 0.0,
        "vendor": VENDOR,
        "model": product_name.strip(),
        "serial_number": product_serial.strip(),
        "os_version": parsed.version,
        "hostname": hostname,
        "fqdn": fqdn if hostname and fqdn.startswith(f"{hostname}.") else hostname,
        "interface_list": sorted_nicely(interfaces.split()),
    }
