"""The shipped registry of real sources: one YAML file per province (``<slug>.yaml``), built from
``../shared/sources/real-portals.csv`` by ``crawler/sources/build_registry.py`` (kept in the repo,
output committed). ``left-out.yaml`` lists the CSV agencies and rows that are not sources, each with
the reason; ``allowlist.yaml`` is the government-host allowlist (crawler/hosts.py)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
LEFT_OUT_FILE = HERE / "left-out.yaml"
NOT_REGISTRY = {"left-out.yaml", "allowlist.yaml"}

# Province (as the region string starts) -> file slug and id prefix.
PROVINCES = {
    "全国": "central", "北京市": "beijing", "天津市": "tianjin", "河北省": "hebei", "山西省": "shanxi",
    "内蒙古自治区": "neimenggu", "辽宁省": "liaoning", "吉林省": "jilin", "黑龙江省": "heilongjiang",
    "上海市": "shanghai", "江苏省": "jiangsu", "浙江省": "zhejiang", "安徽省": "anhui", "福建省": "fujian",
    "江西省": "jiangxi", "山东省": "shandong", "河南省": "henan", "湖北省": "hubei", "湖南省": "hunan",
    "广东省": "guangdong", "广西壮族自治区": "guangxi", "海南省": "hainan", "重庆市": "chongqing",
    "四川省": "sichuan", "贵州省": "guizhou", "云南省": "yunnan", "西藏自治区": "xizang", "陕西省": "shaanxi",
    "甘肃省": "gansu", "青海省": "qinghai", "宁夏回族自治区": "ningxia", "新疆维吾尔自治区": "xinjiang",
}
SHORT_NAMES = {"内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区", "宁夏": "宁夏回族自治区",
               "新疆": "新疆维吾尔自治区", "中央": "全国"}


def registry_files() -> list[Path]:
    return sorted(p for p in HERE.glob("*.yaml") if p.name not in NOT_REGISTRY)


def province_slug(name: str) -> str | None:
    """浙江, 浙江省, zhejiang -> zhejiang; None when unknown."""
    text = (name or "").strip()
    if text.lower() in PROVINCES.values():
        return text.lower()
    text = SHORT_NAMES.get(text, text)
    for full, slug in PROVINCES.items():
        if text == full or (len(text) >= 2 and full.startswith(text)):
            return slug
    return None


def province_file(name: str) -> Path | None:
    slug = province_slug(name)
    return HERE / f"{slug}.yaml" if slug else None
