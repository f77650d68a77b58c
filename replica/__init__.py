"""Replica portals and the report generator: a deterministic local copy of government portals for tests, benchmarks and the demo."""
