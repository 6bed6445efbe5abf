"""Benchmarks: `make bench [SCALE=county|city|province]` (see bench/__main__.py)."""
