"""Anti-bot challenge pages are recognised (crawler.challenges.detect); real portal pages are not."""

import urllib.error
import urllib.request

import pytest

from crawler.challenges import detect
from replica.portals import ReplicaWorld

HTML = {"content-type": "text/html; charset=utf-8"}
RIVERSEC = (b'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            b'<meta id="9DhefwqGPrzGxEp9hPaoag" content="Q0J4R1xTX0ZUb0dqWnF1dGZjSk9QRW">'
            b"<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=70151;"
            b"$_ts.cd=\"qcbzrrAlccEFcGAlqqSYqGqoEal\";</script><script src=\"/OkVbRuXvnsEf/FbOaUoc.b4c45da.js\" "
            b"r='m'></script></head><body></body></html>")  # fmt: skip
# Jiasule's first stage: the cookie name is assembled character by character, then the page reloads
JIASULE = (b"<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+('a')"
           b"+('n')+('c')+('e')+('_')+('s')+('=')+(-~[]+'')+('6')+'|-1|'+(-~{}+[]);"
           b"location.href=location.pathname+location.search</script>")  # fmt: skip
YUNSUO = (b"<html><head><script type=\"text/javascript\">function stringToHex(str){}"
          b"var yunsuo_session_verify='c3a1'; window.location.href='/zfxxgk/index.html?security_verify_data="
          b"313932302c31303830'</script></head><body></body></html>")  # fmt: skip
CLOUDFLARE = (b"<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title></head><body>"
              b"<script src=\"/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1\"></script></body></html>")  # fmt: skip
VERIFY = "<html><body><h2>安全验证</h2><p>请完成下方验证后继续访问</p><div id='slider'></div></body></html>".encode()


@pytest.mark.parametrize(
    ("status", "headers", "body", "kind"),
    [
        (412, HTML, RIVERSEC, "riversec"),
        (202, HTML, RIVERSEC, "riversec"),
        (521, HTML, JIASULE, "js_cookie"),
        (
            521,
            HTML,
            b'<script>go({"bts":["1","2"],"tn":"__jsl_clearance_s","vt":"3600"})</script>',
            "jiasule",
        ),
        (200, HTML, YUNSUO, "yunsuo"),
        (403, HTML, CLOUDFLARE, "cloudflare"),
        (403, {**HTML, "cf-mitigated": "challenge"}, b"", "cloudflare"),
        (200, HTML, VERIFY, "verification_page"),
        (200, {}, RIVERSEC, "riversec"),  # no Content-Type at all
    ],
)
def test_challenge_pages_are_recognised(status, headers, body, kind):
    assert detect(status, headers, body) == kind


def test_content_that_mentions_the_words_is_not_a_challenge():
    # a report discussing 网络安全验证 is long; JSON and files are never challenge pages
    report = ("<html><body><h1>2023年政府信息公开工作年度报告</h1>" + "<p>加强网络安全验证和数据保护工作。</p>" * 400
              + "</body></html>").encode()  # fmt: skip
    assert detect(200, HTML, report) is None
    assert (
        detect(200, {"content-type": "application/json"}, '{"note": "$_ts=1", "title": "安全验证"}'.encode())
        is None
    )
    assert detect(200, {"content-type": "application/pdf"}, b"%PDF-1.7 document.cookie=1; location") is None
    # a small page with a cookie script but real links (a portal's consent banner) is content
    banner = '<html><body><a href="/a.html">2022年报</a><script>document.cookie="seen=1";location.hash="#top"</script>'
    assert detect(200, HTML, banner.encode()) is None
    # a real page of a portal behind 瑞数 carries its `$_ts` script too, with the page's text
    page = RIVERSEC.replace(b"<body></body>", ("<body><h1>政府信息公开年报</h1>" + "<p>2022年度报告</p>" * 30
                                                + "</body>").encode())  # fmt: skip
    assert detect(200, HTML, page) is None and detect(412, HTML, page) == "riversec"


def test_no_page_of_the_replica_portals_is_taken_for_a_challenge():
    with ReplicaWorld(seed=3, agencies_per_family=1, years=(2021, 2022), allow_doc=False) as world:
        urls = [u for p in world.portals for u in p.start_urls] + [r.page_url for r in world.reports()]
        urls += world.noise_urls()[:6]
        checked = 0
        for url in urls:
            req = urllib.request.Request(url, headers={"User-Agent": "test"})
            try:
                resp = urllib.request.urlopen(req, timeout=10)
            except urllib.error.HTTPError as exc:  # a broken link (404) or a fault (500): still checked
                resp = exc
            with resp:
                headers = {k.lower(): v for k, v in resp.headers.items()}
                assert detect(resp.status, headers, resp.read()) is None, url
                checked += 1
    assert checked == len(urls) >= 20
