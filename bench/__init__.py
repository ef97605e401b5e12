"""Benchmarks on a large generated organisation: `python -m bench.run --help` (see bench/README.md)."""
