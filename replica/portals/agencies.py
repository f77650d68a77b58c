"""Who runs each replica portal: regions (GB/T 2260 codes, pinyin for source ids) and departments,
grouped by the CMS family that is common in that part of the country."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    name: str  # full region name, e.g. 浙江省宁波市北仑区
    short: str  # how an agency name starts
    code: str
    level: str  # central | province | prefecture | county
    slug: str  # for source ids, e.g. zj-ningbo-beilun


PLACES: dict[str, tuple[Place, ...]] = {
    "hanweb_jcms": (
        Place("浙江省杭州市", "杭州市", "330100", "prefecture", "zj-hangzhou"),
        Place("浙江省宁波市北仑区", "宁波市北仑区", "330206", "county", "zj-ningbo-beilun"),
        Place("浙江省温州市", "温州市", "330300", "prefecture", "zj-wenzhou"),
        Place("浙江省嘉兴市桐乡市", "桐乡市", "330483", "county", "zj-tongxiang"),
        Place("湖北省荆门市", "荆门市", "420800", "prefecture", "hb-jingmen"),
        Place("江苏省南京市", "南京市", "320100", "prefecture", "js-nanjing"),
    ),
    "trs_wcm": (
        Place("广西壮族自治区玉林市", "玉林市", "450900", "prefecture", "gx-yulin"),
        Place("海南省海口市", "海口市", "460100", "prefecture", "hi-haikou"),
        Place("江西省景德镇市浮梁县", "浮梁县", "360222", "county", "jx-fuliang"),
        Place("北京市海淀区", "北京市海淀区", "110108", "county", "bj-haidian"),
        Place("山东省济宁市", "济宁市", "370800", "prefecture", "sd-jining"),
    ),
    "vsb": (
        Place("云南省保山市", "保山市", "530500", "prefecture", "yn-baoshan"),
        Place("云南省红河哈尼族彝族自治州弥勒市", "弥勒市", "532504", "county", "yn-mile"),
        Place("甘肃省天水市甘谷县", "甘谷县", "620523", "county", "gs-gangu"),
        Place("甘肃省天水市麦积区", "天水市麦积区", "620503", "county", "gs-maiji"),
        Place("青海省西宁市城中区", "西宁市城中区", "630103", "county", "qh-chengzhong"),
    ),
    "gkmlpt": (
        Place("广东省深圳市", "深圳市", "440300", "prefecture", "gd-shenzhen"),
        Place("广东省广州市番禺区", "广州市番禺区", "440113", "county", "gd-panyu"),
        Place("广东省惠州市", "惠州市", "441300", "prefecture", "gd-huizhou"),
        Place("广东省江门市", "江门市", "440700", "prefecture", "gd-jiangmen"),
        Place("广东省阳江市", "阳江市", "441700", "prefecture", "gd-yangjiang"),
    ),
    "anhui_openness": (
        Place("安徽省铜陵市", "铜陵市", "340700", "prefecture", "ah-tongling-gk"),
        Place("安徽省池州市", "池州市", "341700", "prefecture", "ah-chizhou"),
        Place("安徽省宣城市", "宣城市", "341800", "prefecture", "ah-xuancheng"),
        Place("安徽省亳州市涡阳县", "涡阳县", "341621", "county", "ah-guoyang"),
        Place("安徽省马鞍山市花山区", "马鞍山市花山区", "340503", "county", "ah-huashan"),
    ),
    "jiyue_shtml": (
        Place("江西省宜春市靖安县", "靖安县", "360925", "county", "jx-jingan"),
        Place("新疆维吾尔自治区乌鲁木齐市", "乌鲁木齐市", "650100", "prefecture", "xj-urumqi"),
        Place("西藏自治区林芝市", "林芝市", "540400", "prefecture", "xz-linzhi"),
        Place("海南省三亚市海棠区", "三亚市海棠区", "460202", "county", "hi-haitang"),
        Place("陕西省汉中市", "汉中市", "610700", "prefecture", "sn-hanzhong"),
    ),
    "shaanxi_snowflake": (
        Place("陕西省西安市高陵区", "西安市高陵区", "610117", "county", "sn-gaoling"),
        Place("陕西省延安市富县", "富县", "610628", "county", "sn-fuxian"),
        Place("陕西省延安市黄龙县", "黄龙县", "610631", "county", "sn-huanglong"),
        Place("陕西省杨凌示范区", "杨凌示范区", "610403", "county", "sn-yangling"),
    ),
    "hanweb_xxgk": (
        Place("浙江省温州市", "温州市", "330300", "prefecture", "zj-wenzhou-gk"),
        Place("浙江省丽水市", "丽水市", "331100", "prefecture", "zj-lishui-gk"),
        Place("山东省济宁市", "济宁市", "370800", "prefecture", "sd-jining-gk"),
        Place("山东省泰安市", "泰安市", "370900", "prefecture", "sd-taian-gk"),
        Place("辽宁省大连市", "大连市", "210200", "prefecture", "ln-dalian-gk"),
    ),
    "json_api": (
        Place("中华人民共和国", "国家", "100000", "central", "gov"),
    ),
    "generic": (
        Place("安徽省铜陵市", "铜陵市", "340700", "prefecture", "ah-tongling"),
        Place("四川省绵阳市", "绵阳市", "510700", "prefecture", "sc-mianyang"),
        Place("辽宁省鞍山市", "鞍山市", "210300", "prefecture", "ln-anshan"),
        Place("河南省洛阳市", "洛阳市", "410300", "prefecture", "ha-luoyang"),
        Place("重庆市黔江区", "重庆市黔江区", "500114", "county", "cq-qianjiang"),
    ),
}

# (name, id suffix)
DEPARTMENTS = (
    ("人民政府", "gov"), ("发展和改革局", "fgj"), ("财政局", "czj"), ("教育局", "jyj"),
    ("人力资源和社会保障局", "rsj"), ("生态环境局", "sthjj"), ("住房和城乡建设局", "zjj"),
    ("交通运输局", "jtj"), ("商务局", "swj"), ("卫生健康局", "wjj"), ("市场监督管理局", "scjgj"),
    ("统计局", "tjj"), ("民政局", "mzj"), ("司法局", "sfj"), ("农业农村局", "nyncj"), ("医疗保障局", "ybj"),
)

# Central bodies for the gov.cn-style JSON portals: (name, id suffix).
CENTRAL = (
    ("国家统计局", "stats"), ("水利部", "mwr"), ("商务部", "mofcom"), ("国家医疗保障局", "nhsa"),
    ("国家林业和草原局", "forestry"), ("交通运输部", "mot"), ("国家税务总局", "chinatax"),
    ("生态环境部", "mee"), ("国家知识产权局", "cnipa"), ("应急管理部", "mem"),
)


@dataclass(frozen=True)
class Agency:
    name: str
    place: Place
    source_id: str


def pick_agencies(rng: random.Random, family: str, count: int) -> list[Agency]:
    """`count` distinct agencies for one family; ids are unique within the family."""
    out: list[Agency] = []
    seen: set[str] = set()
    places = PLACES[family]
    while len(out) < count:
        place = rng.choice(places)
        if place.level == "central":
            name, suffix = rng.choice(CENTRAL)
        else:
            dept, suffix = rng.choice(DEPARTMENTS)
            name = place.short + dept
        source_id = f"{place.slug}-{suffix}"
        if source_id in seen:
            # every combination taken once: number further copies (large benchmark worlds)
            if len(seen) < len(places) * (len(CENTRAL) if place.level == "central" else len(DEPARTMENTS)):
                continue
            source_id = f"{source_id}-{len(out)}"
            name = f"{name}（{len(out)}）"
        seen.add(source_id)
        out.append(Agency(name, place, source_id))
    return out
