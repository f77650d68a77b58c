"""The government-host allowlist (data: crawler/sources/allowlist.yaml).

Real crawls fetch only from government hosts: lookalike mirror domains copy government pages under
the same paths, and their copies are not the record. Loopback addresses stay allowed so that the
replica portals (127.0.0.x) crawl the same way in the demo and the tests.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ALLOWLIST_FILE = Path(__file__).resolve().parent / "sources" / "allowlist.yaml"


@lru_cache(maxsize=4)
def load_allowlist(path: str | None = None) -> tuple[tuple[str, ...], frozenset[str]]:
    data = yaml.safe_load(Path(path or ALLOWLIST_FILE).read_text(encoding="utf-8")) or {}
    suffixes = tuple(str(s).lower().strip(".") for s in data.get("suffixes") or ())
    hosts = frozenset(str(h).lower() for h in (data.get("hosts") or {}))
    return suffixes, hosts


def host_of(url_or_host: str) -> str:
    text = url_or_host.strip()
    host = urlsplit(text).hostname if "//" in text else text.split("/")[0].rsplit(":", 1)[0]
    return (host or "").lower().rstrip(".")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_government_host(url_or_host: str, path: str | None = None) -> bool:
    """True for gov.cn hosts (and the other listed suffixes/hosts); False for lookalikes such as
    zj.gov.cn.mirror.com, gov.cn.com, zjgov.cn or gov-cn.net, and for bare IP addresses."""
    host = host_of(url_or_host)
    if not host:
        return False
    suffixes, hosts = load_allowlist(path)
    if host in hosts:
        return True
    return any(host == s or host.endswith("." + s) for s in suffixes)


def is_allowed(url_or_host: str, path: str | None = None) -> bool:
    """What the crawler may fetch: a government host, or loopback (replica portals)."""
    host = host_of(url_or_host)
    return is_loopback(host) or is_government_host(host, path)
