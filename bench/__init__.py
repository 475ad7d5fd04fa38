"""Benchmarks: ``python -m bench`` runs the suite; ``python -m bench.<name>`` one study."""
