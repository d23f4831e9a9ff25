"""Benchmarks and the emulated device fleet (`python -m bench --help`).

- `python -m bench fleet`: emulated Arista EOS routers over eAPI (bench/fleet/);
- `python -m bench inventory`: the inventory matching a fleet, in the configured database;
- `python -m bench poll|deploy|render --database sqlite|postgresql`: one benchmark, in a
  scratch database of its own, with its naive reference; `python -m bench all` (`make
  bench`): all of them on both databases, then a summary against the targets.
"""
