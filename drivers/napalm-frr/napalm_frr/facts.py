"""`get_facts` from `show version`, FRR's interface list and a few system files."""

from __future__ import annotations

import json
import re

from napalm.base import models
from napalm.base.utils.string_parsers import sorted_nicely

from napalm_frr.ssh_driver import host_facts

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
    return host_facts(
        vendor=VENDOR,
        os_version=match.group("version") if match else "",
        # FRR's hostname may differ from the system's; only a matching FQDN is used
        hostname=match.group("hostname") if match else "",
        interfaces=sorted_nicely(list(json.loads(interfaces_json or "{}"))),
        proc_uptime=proc_uptime,
        system_fqdn=system_fqdn,
        product_name=product_name,
        product_serial=product_serial,
    )
