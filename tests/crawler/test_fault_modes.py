"""Fault tolerance against every fault mode of the replica portals (replica/portals/faults.py).

One crawl of a world whose report pages (and two attachments) misbehave, one mode each: bursts of
500s, connection resets, timeouts, truncated bodies, a wrong Content-Length, a redirect loop, a huge
file, a gzip bomb and a challenge page. Every report must end captured or recorded as failed with the
reason; a challenge page is never archived as a report; the crawl and the build finish.
"""


import pytest
from end_to_end import query, run_xxgk

from replica.portals import ReplicaWorld

PAGE_MODES = ("burst_500", "reset", "timeout", "truncated", "redirect_loop", "gzip_bomb", "challenge")
ATTACHMENT_MODES = ("wrong_length", "huge")
# what the recorded error of each page mode says (captures.error of the failed request)
REASONS = {
    "burst_500": "HTTP 500 after retries",
    "reset": "Connection",
    "timeout": "DownloadTimeoutError",
    "truncated": "ResponseDataLossError",
    "redirect_loop": "ignored: redirect loop",
    "gzip_bomb": "ignored",
    "challenge": "challenge: riversec",
}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    with ReplicaWorld(
        seed=17,
        agencies_per_family=1,
        years=(2019, 2020, 2021, 2022),
        allow_doc=False,
        families=("trs_wcm", "vsb", "json_api"),
    ) as world:
        truth = world.reports()
        with_files = [r for r in truth if r.attachments]
        plain = [r for r in truth if r not in with_files[: len(ATTACHMENT_MODES)]]
        modes = {}
        for rep, mode in zip(plain, PAGE_MODES, strict=False):
            world.faults.add_mode(urlpath(rep.page_url), mode)
            modes[rep.page_url] = mode
        files = {}
        for rep, mode in zip(with_files, ATTACHMENT_MODES, strict=False):
            world.faults.add_mode(urlpath(rep.attachments[0][0]), mode)
            files[rep.attachments[0][0]] = (mode, rep.page_url)
        sources = tmp / "sources.yaml"
        world.write_sources(sources)
        data = tmp / "data"
        # the challenge is to be recorded, not solved (escalation has its own tests)
        run_xxgk("crawl", "--sources", sources, "--data", data, "--fast", "-s", "DOWNLOAD_TIMEOUT=2",
                 "-s", "DOWNLOAD_MAXSIZE=8000000", "--progress-every", 60, "-s", "XXGK_TRANSPORT_ESCALATE=False")
    run_xxgk("build", "--data", data, "--quiet", "--workers", 1)
    assert len(modes) == len(PAGE_MODES) and len(files) == len(ATTACHMENT_MODES)
    return {"data": data, "truth": truth, "modes": modes, "files": files}


def urlpath(url):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def test_every_report_is_archived_or_recorded_failed_with_its_reason(crawl):
    data = crawl["data"]
    archived = {u for (u,) in query(data / "archive.db", "select url from reports")}
    for rep in crawl["truth"]:
        mode = crawl["modes"].get(rep.page_url)
        if mode is None:
            assert rep.page_url in archived, rep.page_url
            continue
        assert rep.page_url not in archived, mode
        # the failed request is the page's (or, for the loop, its twin's, the message naming the page)
        errors = [
            e
            for (e,) in query(
                data / "captures.db",
                "select error from captures where role = 'error' and (url = ? or "
                "error like '%' || ? || ' ->%')",
                rep.page_url,
                rep.page_url,
            )
        ]
        assert errors and all(errors), mode
        assert REASONS[mode] in errors[-1], (mode, errors)


def test_a_challenge_page_is_kept_as_evidence_never_as_a_report(crawl):
    data = crawl["data"]
    url = next(u for u, m in crawl["modes"].items() if m == "challenge")
    rows = query(
        data / "captures.db", "select status, role, error from captures where url = ? and status = 200", url
    )
    assert rows and all(e.startswith("challenge: riversec") for _, _, e in rows)
    assert query(data / "archive.db", "select count(*) from reports where url = ?", url) == [(0,)]
    assert query(data / "archive.db", "select count(*) from report_documents where url = ?", url) == [(0,)]


def test_bad_attachments_fail_alone_and_say_why(crawl):
    data = crawl["data"]
    for url, (mode, page) in crawl["files"].items():
        # the report stands (its page is fine); the attachment is a recorded failure
        assert query(data / "archive.db", "select count(*) from reports where url = ?", page) == [(1,)], mode
        if mode == "huge":
            errors = query(
                data / "captures.db", "select error from captures where url = ? and role = 'error'", url
            )
            assert errors and "max" in errors[-1][0].lower(), errors
            assert query(data / "archive.db", "select count(*) from report_documents where url = ?", url) == [
                (0,)
            ]
        else:  # a body cut short by its own Content-Length: captured as sent, its parse fails with a reason
            docs = query(
                data / "archive.db", "select parse_status, error from report_documents where url = ?", url
            )
            assert docs and docs[0][0] == "failed" and docs[0][1], docs


def test_the_gzip_bomb_is_never_inflated_into_the_archive(crawl):
    data = crawl["data"]
    url = next(u for u, m in crawl["modes"].items() if m == "gzip_bomb")
    rows = query(
        data / "captures.db", "select size, error from captures where url = ? and role != 'error'", url
    )
    assert rows and all(e for _, e in rows)  # the raw capture is marked refused, so no build parses it
