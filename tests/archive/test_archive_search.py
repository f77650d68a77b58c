"""Bigram full-text search: the FTS5 index finds exactly the reports LIKE finds, for 1- to 15-character queries."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from archive import schema, search

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
TEXT_COLS = ("title", "agency_name", *schema.REPORT_TEXT_COLUMNS)


def test_tokens_and_query_rewrite():
    assert search.to_bigrams("行政复议，收费") == "行政 政复 复议 收费"
    assert search.to_bigrams("２０２１年ＡＢ") == "2021 年 ab"  # full-width folded
    assert search.query_to_fts("复议") == '"复议"'
    assert search.query_to_fts("依申请公开") == '"依申 申请 请公 公开"'
    assert search.query_to_fts("复议 税") == '"复议" AND chars : "税"'
    assert search.query_to_fts("2021年") == '"2021 年" *'
    assert search.query_to_fts('"复议" OR') == '"复议" AND "or" *'  # FTS syntax in a query is only text
    assert search.query_to_fts(" ，。 ") is None
    assert search.distinct_chars("复议复") == "复 议"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    lines = [ln.strip() for p in sorted(SEEDS.glob("*.txt")) for ln in p.read_text("utf-8").splitlines() if ln.strip()]
    if not lines:
        pytest.skip("shared/seeds not found beside the checkout")
    rng = random.Random(7)
    db = schema.connect(tmp_path_factory.mktemp("search") / "a.db")
    schema.create(db)
    agencies = ["宁波市北仑区商务局", "沭阳县人民政府", "睢宁县财政局", "杭州市数据资源管理局"]
    for i in range(120):
        agency = agencies[i % len(agencies)]
        body = rng.sample(lines, min(12, len(lines)))
        row = {"title": f"{agency}{2019 + i % 4}年政府信息公开工作年度报告", "agency_name": agency,
               "url": f"http://x/{i}", "sha256": str(i), "is_latest": 1, "parse_status": "ok"}  # fmt: skip
        for j, col in enumerate(schema.REPORT_TEXT_COLUMNS):
            row[col] = "\n".join(body[j * 2 : j * 2 + 2]) or None
        if i % 17 == 0:
            row["other_text"] = (row["other_text"] or "") + "本年度开展政务晒单活动，公共数据授权运营试点。"
        if i % 29 == 0:
            row["overview"] = "<script>alert('复议')</script>" + "收费" * 20000  # hostile and huge
        db["reports"].insert(row)
    with db.conn:
        search.index_reports(db, [r[0] for r in db.execute("SELECT id FROM reports")])
    return db


def like_ids(db, q: str) -> list[int]:
    where = " OR ".join(f"coalesce([{c}], '') LIKE ?" for c in TEXT_COLS)
    return [r[0] for r in db.execute(f"SELECT id FROM reports WHERE {where} ORDER BY id", [f"%{q}%"] * len(TEXT_COLS))]


QUERIES = ["复议", "收费", "诉讼", "沭阳", "睢宁", "开工", "息公", "政务晒单", "行政复议", "依申请公开", "不予公开",
           "公共数据授权运营", "政府信息公开工作年度报告", "中华人民共和国政府信息公开条例", "税", "局", "2021年"]  # fmt: skip


@pytest.mark.parametrize("q", QUERIES)
def test_search_finds_exactly_what_like_finds(corpus, q):
    truth = like_ids(corpus, q)
    assert truth, f"{q} should occur in the corpus"
    assert search.search(corpus, q) == truth


def test_search_counts_are_real(corpus):
    n = corpus.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert len(search.search(corpus, "政务晒单")) == len(range(0, 120, 17)) == 8
    assert 0 < len(search.search(corpus, "复议")) <= n
    assert search.search(corpus, "复议 政务晒单") == sorted(set(search.search(corpus, "复议")) & set(search.search(corpus, "政务晒单")))
    assert search.search(corpus, "不存在的词语组合") == [] and like_ids(corpus, "不存在的词语组合") == []


def test_reindex_replaces_rows(corpus):
    rid = corpus.execute("SELECT min(id) FROM reports").fetchone()[0]
    with corpus.conn:
        corpus.execute("UPDATE reports SET problems_text = '新增独特词汇甲乙丙丁' WHERE id = ?", [rid])
        search.index_reports(corpus, [rid])
    assert search.search(corpus, "甲乙丙丁") == [rid]
    assert corpus.execute("SELECT count(*) FROM report_search").fetchone()[0] == 120
