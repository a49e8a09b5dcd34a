"""Benchmarks. Run them as scripts from the repository root, e.g. ``python bench/ledger.py``."""
