"""An emulated fleet of Arista EOS routers speaking eAPI, for scale tests and benchmarks.

`bench.fleet.model` says what every router holds (pure functions of the seed);
`bench.fleet.process.running_fleet` starts the fleet in a child process.
"""

from bench.fleet.model import (
    FaultKind,
    FleetSpec,
    RouterInfo,
    SessionInfo,
    SessionState,
)
from bench.fleet.process import FleetProcess, FleetStartError, running_fleet

__all__ = [
    "FaultKind",
    "FleetProcess",
    "FleetSpec",
    "FleetStartError",
    "RouterInfo",
    "SessionInfo",
    "SessionState",
    "running_fleet",
]
