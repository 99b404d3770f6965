"""Benchmarks: each measures the project against a bare baseline in one run (see README.md)."""
