"""What a replica portal publishes: items (annual reports, noise, broken links), their attachments,
titles, the 信息公开 metadata, and small HTML helpers shared by the family modules."""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

REPORT_TITLES = (
    "{agency}{year}年政府信息公开工作年度报告",
    "{agency}{year}年度政府信息公开工作年度报告",
    "{agency}{year}年政府信息公开年报",
    "{year}年{agency}政府信息公开工作年度报告",
    "{agency}关于{year}年政府信息公开工作年度报告",
    "{agency}{year}年度政府信息公开年度报告",
)

# Non-report items a crawler must skip; several look close to a report title on purpose.
NOISE_TITLES = (
    "关于印发《{year}年政务公开工作要点》的通知",
    "{agency}政府信息公开指南",
    "{agency}{year}年政府信息公开情况统计表",
    "{agency}{year}年工作总结",
    "{agency}{year}年法治政府建设年度报告",
    "{agency}{year}年部门预算公开",
    "关于开展{year}年度政务公开第三方评估工作的通知",
    "{agency}政府信息公开制度",
    "{agency}{year}年第{q}季度政务公开工作情况",
    "{agency}关于{year}年度政府信息公开工作的自查报告",
    "{agency}{year}年政府网站工作年度报表",
    "{agency}{year}年决算公开说明",
    "关于{year}年第{q}季度政府网站抽查情况的通报",
    "{agency}依申请公开办理流程",
)

# Notices about a report, as real 年报 columns list them beside the reports: (title, kind). They are
# kept by the crawler and linked to their report, never counted as reports.
NOTICE_TITLES = (
    ("关于《{title}》的更正说明", "correction"),
    ("{agency}{year}年政府信息公开工作年度报告补充说明", "supplement"),
    ("关于{year}年度政府信息公开工作年度报告有关情况的说明", "explanation"),
    ("{agency}{year}年政府信息公开工作年度报告更正声明", "correction"),
)

BROKEN_TITLES = ("关于调整办公地址的公告", "关于网站改版的说明", "原政府信息公开专栏入口（旧版）")

TOPICS = ("综合政务/政务公开", "综合政务/其他", "政务公开/年度报告", "综合政务/政府信息公开")


@dataclass
class Attachment:
    path: str  # URL path (and query) at the portal's root
    filename: str  # the real file name (link text, alt, or Content-Disposition)
    fmt: str  # docx | pdf | doc | wps
    link_text: str  # text of the <a>; may be a generic 下载 when the name is only in Content-Disposition
    disposition: str | None = None  # None | 'gbk' | 'rfc5987': served by a download handler naming the file
    redirect_to: str | None = None  # download handler answering 302 to this path
    href: str = ""  # how the page links it, when not the absolute path (TRS: ./P0....pdf)

    @property
    def render_fmt(self) -> str:
        return "doc" if self.fmt == "wps" else self.fmt  # a .wps is the .doc bytes under another name


@dataclass
class Item:
    id: int
    kind: str  # report | noise | broken | notice (a correction / supplement of a report)
    title: str
    date: date  # publication date shown in listings and metadata
    year: int | None  # the year a report covers
    path: str = ""
    fmt: str = "html"  # report format: html | docx | pdf | doc | wps
    style: str | None = None  # HTML style of the report tables
    attachments: list[Attachment] = field(default_factory=list)
    version: int = 1
    meta: dict[str, str] = field(default_factory=dict)
    text: str = ""  # noise body
    classify: int = 0  # gkmlpt classify id / listing column key
    inconsistencies: int = 0
    modified: date | None = None  # Last-Modified; moves forward with each new version
    about: Item | None = None  # notice: the report it corrects or completes
    links_report: bool = False  # notice: its body links the report page

    @property
    def last_modified(self) -> date:
        return self.modified or self.date


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def report_title(rng: random.Random, agency: str, year: int) -> str:
    template = rng.choice(REPORT_TITLES)
    if agency.endswith("人民政府") and template.startswith("{year}"):
        template = REPORT_TITLES[0]  # "2020年X人民政府政府信息…" reads wrong; governments put the name first
    return template.format(agency=agency, year=year)


def noise_title(rng: random.Random, agency: str, year: int) -> str:
    return rng.choice(NOISE_TITLES).format(agency=agency, year=year, q=rng.randint(1, 4))


def noise_text(rng: random.Random, title: str, agency: str) -> str:
    sentences = (
        "为深入贯彻落实《中华人民共和国政府信息公开条例》，进一步做好政务公开工作，现将有关事项通知如下。",
        "各科室、各直属单位要高度重视，明确专人负责，按时报送有关材料。",
        "本机关坚持以公开为常态、不公开为例外，持续提升政务公开质量。",
        "联系电话：0571-87050000；通讯地址：行政中心3号楼。",
        "请各单位对照要求认真开展自查，发现问题及时整改。",
        "附件材料请登录政务公开平台下载。",
    )
    picked = rng.sample(sentences, 3)
    return f"{title}\n" + "\n".join(picked) + f"\n{agency}"


def report_date(rng: random.Random, year: int) -> date:
    # Reports are due by 31 January (31 March before 2019); some are late.
    if year < 2019:
        return date(year + 1, rng.randint(1, 3), rng.randint(1, 28))
    return date(year + 1, 1, rng.randint(8, 31)) if rng.random() < 0.8 else date(year + 1, 2, rng.randint(1, 28))


def noise_date(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randint(0, 364))


def page_meta(item: Item, agency: str, org_code: str) -> dict[str, str]:
    """The 信息公开 metadata block, with canonical labels."""
    return {
        "索引号": f"{org_code}/{item.date.year}-{item.id % 100000:05d}",
        "发布机构": agency,
        "成文日期": item.date.isoformat(),
        "发布日期": item.date.isoformat(),
        "文号": "",
        "主题分类": TOPICS[item.id % len(TOPICS)],
    }


def html_page(title: str, body: str, charset: str = "utf-8", head: str = "", meta_charset: bool = True) -> str:
    charset_tag = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if meta_charset else ""
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"{charset_tag}\n<title>{esc(title)}</title>\n{head}\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def text_paragraphs(text: str) -> str:
    return "\n".join(f"<p>{esc(line)}</p>" for line in text.split("\n") if line.strip())


def body_fragment(document: str) -> str:
    """The inside of <body> of a rendered HTML report (or the whole text when it is a fragment)."""
    lower = document.lower()
    start = lower.find("<body")
    if start < 0:
        return document
    start = lower.find(">", start) + 1
    end = lower.rfind("</body>")
    return document[start : end if end > start else len(document)]


def attachment_links(item: Item) -> str:
    if not item.attachments:
        return ""
    links = "\n".join(
        f'<li><a href="{esc(a.href or a.path)}" target="_blank">{esc(a.link_text)}</a></li>' for a in item.attachments
    )
    return f'<div class="attachments"><p>附件：</p><ul>\n{links}\n</ul></div>'
