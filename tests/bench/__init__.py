"""Tests of the benchmark modules."""
