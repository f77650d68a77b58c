"""Agencies with stable ids, derived from the source registry.

The id is the source id (or ``params.agency_id`` when a registry entry names the agency another
source already covers), never the name: agencies are renamed (机构改革) while their portal stays,
so an id made from the name would split one agency's history in two.
"""

from __future__ import annotations

import json
import re

GOVERNMENT_MARKERS = ("人民政府", "政府办公室", "政府办公厅")


def agency_kind(name: str | None) -> str:
    """'government' for a people's government or its general office, else 'department'.

    The two have different legal deadlines for their annual reports (31 March / 31 January).
    """
    if name and any(m in name for m in GOVERNMENT_MARKERS):
        return "government"
    return "department"


def agency_id_for(source: dict) -> str:
    params = source.get("params")
    if isinstance(params, str):
        try:
            params = json.loads(params)
        except ValueError:
            params = None
    if isinstance(params, dict) and isinstance(params.get("agency_id"), str):
        return params["agency_id"]
    return source["id"]


def parent_region_codes(code: str | None) -> list[str]:
    """Enclosing region codes, nearest first: 330106 -> 330100, 330000 (GB/T 2260 prefixes)."""
    if not code or not re.fullmatch(r"\d{6}", code):
        return []
    out = []
    if code[4:] != "00":
        out.append(code[:4] + "00")
    if code[2:] != "0000":
        out.append(code[:2] + "0000")
    if code != "100000":
        out.append("100000")  # the State Council's own portal (central level)
    return out


def agencies_from_sources(sources: list[dict]) -> list[dict]:
    """One row per agency; parent = the government of the same region (for a department) or of the
    nearest enclosing region (for a government), when the registry has it."""
    rows: dict[str, dict] = {}
    for s in sorted(sources, key=lambda s: s["id"]):
        aid = agency_id_for(s)
        if aid in rows:
            continue
        rows[aid] = {
            "id": aid,
            "name": s.get("agency"),
            "region": s.get("region"),
            "region_code": s.get("region_code"),
            "level": s.get("level"),
            "kind": agency_kind(s.get("agency")),
            "parent_id": None,
        }
    governments: dict[str, str] = {}
    for r in rows.values():
        if r["kind"] == "government" and r["region_code"]:
            governments.setdefault(r["region_code"], r["id"])
    for r in rows.values():
        codes = parent_region_codes(r["region_code"])
        if r["kind"] == "department" and r["region_code"]:
            codes = [r["region_code"], *codes]
        for c in codes:
            gid = governments.get(c)
            if gid and gid != r["id"]:
                r["parent_id"] = gid
                break
    return list(rows.values())
