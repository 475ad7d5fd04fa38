"""Benchmarks: run with ``python -m bench.<name>``; each prints medians and ratios."""
