"""Benchmarks and the emulated device fleet (`python -m bench --help`)."""
