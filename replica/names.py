"""Name pools for generated reports: regions (with GB/T 2260 codes) and agencies.

Real place names and department names so that generated titles look like the ones on real
portals; the combinations themselves are invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    name: str  # full name, e.g. 浙江省宁波市北仑区
    short: str  # how an agency name starts, e.g. 宁波市北仑区
    code: str  # GB/T 2260
    level: str  # province | prefecture | county


REGIONS: tuple[Region, ...] = (
    Region("浙江省", "浙江省", "330000", "province"),
    Region("浙江省杭州市", "杭州市", "330100", "prefecture"),
    Region("浙江省宁波市", "宁波市", "330200", "prefecture"),
    Region("浙江省宁波市北仑区", "宁波市北仑区", "330206", "county"),
    Region("浙江省宁波市镇海区", "宁波市镇海区", "330211", "county"),
    Region("浙江省宁波市慈溪市", "慈溪市", "330282", "county"),
    Region("浙江省温州市", "温州市", "330300", "prefecture"),
    Region("浙江省嘉兴市桐乡市", "桐乡市", "330483", "county"),
    Region("浙江省金华市", "金华市", "330700", "prefecture"),
    Region("湖北省武汉市", "武汉市", "420100", "prefecture"),
    Region("湖北省武汉市武昌区", "武汉市武昌区", "420106", "county"),
    Region("湖北省襄阳市宜城市", "宜城市", "420684", "county"),
    Region("广东省", "广东省", "440000", "province"),
    Region("广东省广州市", "广州市", "440100", "prefecture"),
    Region("广东省深圳市", "深圳市", "440300", "prefecture"),
    Region("广东省湛江市霞山区", "湛江市霞山区", "440803", "county"),
    Region("山东省济宁市", "济宁市", "370800", "prefecture"),
    Region("山东省济宁市兖州区", "济宁市兖州区", "370812", "county"),
    Region("四川省绵阳市", "绵阳市", "510700", "prefecture"),
    Region("四川省遂宁市船山区", "遂宁市船山区", "510903", "county"),
    Region("辽宁省鞍山市", "鞍山市", "210300", "prefecture"),
    Region("安徽省铜陵市", "铜陵市", "340700", "prefecture"),
    Region("山西省晋城市高平市", "高平市", "140581", "county"),
    Region("云南省保山市", "保山市", "530500", "prefecture"),
    Region("河南省", "河南省", "410000", "province"),
    Region("重庆市黔江区", "重庆市黔江区", "500114", "county"),
)

# Departments by level: provinces name them 厅, lower levels 局.
DEPARTMENTS_PROVINCE = (
    "人力资源和社会保障厅", "生态环境厅", "财政厅", "教育厅", "交通运输厅", "自然资源厅",
    "住房和城乡建设厅", "卫生健康委员会", "发展和改革委员会", "市场监督管理局",
)
DEPARTMENTS_LOCAL = (
    "人力资源和社会保障局", "生态环境局", "财政局", "教育局", "交通运输局", "自然资源和规划局",
    "住房和城乡建设局", "卫生健康局", "发展和改革局", "市场监督管理局", "统计局", "商务局",
    "经济和信息化局", "民政局", "司法局", "文化和广电旅游体育局", "农业农村局", "应急管理局",
    "医疗保障局", "退役军人事务局",
)


def government_name(region: Region) -> str:
    return f"{region.short}人民政府"


def pick_agency(rng: random.Random, region: Region | None = None) -> tuple[str, Region, bool]:
    """(agency name, region, is_government): about one agency in six is a people's government."""
    region = region or rng.choice(REGIONS)
    if rng.random() < 0.17:
        return government_name(region), region, True
    pool = DEPARTMENTS_PROVINCE if region.level == "province" else DEPARTMENTS_LOCAL
    return region.short + rng.choice(pool), region, False


def region_for(name: str) -> Region | None:
    for r in REGIONS:
        if r.name == name or r.short == name:
            return r
    return None
