"""`get_facts` from `show version`, FRR's interface list and a few system files."""

from __future__ import annotations

import json
import re

from napalm.base import models
from napalm.base.utils.string_parsers import sorted_nicely

VENDOR = "FRRouting"
_VERSION_LINE = re.compile(r"FRRouting (?P<version>\S+) \((?P<hostname>[^)]*)\)")


def facts(
    show_version: str,
    interfaces_json: str,
    proc_uptime: str,
    system_fqdn: str,
    product_name: str = "",
    product_serial: str = "",
) -> models.FactsDict:
    """FRR's hostname and version; uptime, model and serial come from the host."""
    match = _VERSION_LINE.search(show_version)
    hostname = match.group("hostname") if match else ""
    fqdn = system_fqdn.strip()
    return {
        "uptime": float(proc_uptime.split()[0]) if proc_uptime.strip() else 0.0,
        "vendor": VENDOR,
        "model": product_name.strip(),
        "serial_number": product_serial.strip(),
        "os_version": match.group("version") if match else "",
        "hostname": hostname,
        # FRR's hostname may differ from the system's; only a matching FQDN is used
        "fqdn": fqdn if hostname and fqdn.startswith(f"{hostname}.") else hostname,
        "interface_list": sorted_nicely(list(json.loads(interfaces_json or "{}"))),
    }
