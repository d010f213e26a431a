"""Benchmarks: `make bench` (python -m bench). Each reports ratios measured side by side."""
