"""Command-line doors of the benchmarks (`python -m bench poll|deploy|render|all|inventory`).

These modules import nothing from Django at import time: a benchmark chooses its scratch
database first, then starts Django on it, then imports the module that does the work.
"""
