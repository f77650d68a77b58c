"""Replica government portals: one HTTP server per portal on 127.0.0.N, one module per CMS family.

See world.py for the interface (ReplicaWorld) and each family module for its URL shapes."""

from .world import FAMILIES, PLATFORM_FAMILIES, Portal, ReplicaReport, ReplicaWorld

__all__ = ["FAMILIES", "PLATFORM_FAMILIES", "Portal", "ReplicaReport", "ReplicaWorld"]
