"""Benchmarks: `make bench`. Speed targets live here, never in timed tests."""
