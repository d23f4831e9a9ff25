"""What the router page shows of how NAPALM connects: each effective value and its source.

The values are resolved by devices.napalm (the same functions a connection uses), so the
page shows what a job would use. No credential is shown in any form: the password only
says where it comes from, and credentials among the optional arguments are masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from core.secrets import mask_options
from devices.models import Router
from devices.napalm import (
    effective_optional_args,
    effective_timeout,
    effective_username,
    password_source,
)

PASSWORD_SHOWN = {
    "router": "set on the router",
    "settings: NAPALM_PASSWORD": "from NAPALM_PASSWORD",
    "none": "none",
}


@dataclass(frozen=True)
class SettingRow:
    """One line of the summary: a label, the value as text ("—" when unset), its source."""

    label: str
    value: str
    source: str
    code: bool = False  # shown in monospace (an optional argument's JSON value)


def napalm_summary(router: Router) -> list[SettingRow]:
    """Timeout, username, password (where from only) and each optional argument, in the
    order NAPALM takes them; optional arguments sorted by name."""
    timeout = effective_timeout(router)
    username = effective_username(router)
    source = password_source(router)
    rows = [
        SettingRow("Timeout", f"{timeout.value} s", timeout.source),
        SettingRow("Username", username.value or "—", username.source),
        SettingRow("Password", PASSWORD_SHOWN[source], source),
    ]
    arguments = effective_optional_args(router)
    masked = mask_options({key: arg.value for key, arg in arguments.items()})
    for key in sorted(arguments):
        shown = json.dumps(masked[key], sort_keys=True)
        rows.append(SettingRow(key, shown, arguments[key].source, code=True))
    return rows
