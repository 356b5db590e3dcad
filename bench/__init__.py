"""Benchmarks and generated scenarios for measuring the solver at scale."""
