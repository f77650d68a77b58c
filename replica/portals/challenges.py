"""Anti-bot gates in front of a replica portal, in the shapes real government hosts answer with
(../shared/sources/platforms.md, "Anti-crawler"): only a client that runs the page's JavaScript gets
the cookie that opens the portal; the cookie is bound to the User-Agent that earned it.

``riversec`` (瑞数): every page answers HTTP 412 with a `$_ts` script page; its inline script computes
a value from the page's nonce and sets it as a cookie, then reloads.

``wzws`` (Wangsu WZWS): a page without a valid ``wzws_cid`` answers 307 to ``/WZWSREL<base64 of the
path>`` (and sets ``wzws_sid``); that page (请开启JavaScript并刷新该页) computes ``wzwschallenge`` in
JavaScript and goes to ``/WZWSREL…?wzwschallenge=…``, which answers 307 back to the page with
``Set-Cookie: wzws_cid``. A client without JavaScript goes round the 307 loop for ever.

``fingerprint``: a WAF that refuses clients whose network stack is not a browser's (real ones read the
TLS ClientHello; over the replica's plain HTTP the gate reads the client hints, ``sec-ch-ua``, that a
browser's stack sends): a 403 安全验证 page for anyone else. curl_cffi's impersonation passes it, no
JavaScript needed.

robots.txt is served without a gate (the WAFs let it through on the hosts seen).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from functools import lru_cache
from http.cookies import SimpleCookie

from .server import Request, Response

GATES = ("riversec", "wzws", "fingerprint")
RIVERSEC_COOKIE = "FSSBBIl1UgzbN7N80T"
MODULUS = 1_000_000_007


@lru_cache(maxsize=4096)
def js_hash(text: str, rounds: int) -> int:
    """What the pages' script computes: a polynomial hash of the nonce, `rounds` times over."""
    h = 0
    for _ in range(rounds):
        for ch in text:
            h = (h * 131 + ord(ch)) % MODULUS
    return h


# The same computation in JavaScript, spelled through String.fromCharCode as the real pages hide
# theirs, so that only an engine that runs it (not a regular expression) gets the number.
_JS_HASH = (
    "function _$h(t,r){var h=0,i,k;for(k=0;k<r;k++){for(i=0;i<t.length;i++){h=(h*131+t.charCodeAt(i))%1000000007;}}"
    "return h;}"
)


def _cookies(req: Request) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(req.header("cookie"))
    except Exception:  # noqa: BLE001 - a malformed Cookie header is no cookie
        return {}
    return {k: m.value for k, m in jar.items()}


class Gate:
    def __init__(self, kind: str, secret: str, rounds: int = 2000):
        if kind not in GATES:
            raise ValueError(f"unknown challenge gate {kind!r}; expected one of {GATES}")
        self.kind = kind
        self.secret = secret.encode()
        self.rounds = rounds
        self.lock = threading.Lock()
        self.challenged = 0  # challenge answers sent
        self.passed = 0  # requests let through with a valid cookie

    def _mac(self, *parts: str) -> str:
        return hmac.new(self.secret, "|".join(parts).encode(), hashlib.sha256).hexdigest()[:24]

    def _count(self, field: str) -> None:
        with self.lock:
            setattr(self, field, getattr(self, field) + 1)

    def check(self, req: Request) -> Response | None:
        """A challenge answer, or None when the request may reach the portal."""
        if req.path == "/robots.txt":
            return None
        if self.kind == "riversec":
            return self._riversec(req)
        if self.kind == "fingerprint":
            return self._fingerprint(req)
        return self._wzws(req)

    # ---- a browser-stack check ----
    def _fingerprint(self, req: Request) -> Response | None:
        if req.header("sec-ch-ua"):
            self._count("passed")
            return None
        self._count("challenged")
        body = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>访问验证</title></head><body>'
            "<h3>安全验证</h3><p>您的访问请求存在异常，请使用浏览器访问。</p></body></html>"
        )
        return Response(403, body.encode(), "text/html; charset=utf-8")

    # ---- 瑞数 ----
    def _riversec(self, req: Request) -> Response | None:
        ua = req.header("user-agent")
        nonce = self._mac("ts", ua)[:16]
        if _cookies(req).get(RIVERSEC_COOKIE) == str(js_hash(nonce, self.rounds)):
            self._count("passed")
            return None
        self._count("challenged")
        meta = self._mac("meta", ua)[:22]
        body = (
            '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f'<meta id="9DhefwqGPrzGxEp9hPaoag" content="{meta}">'
            f"<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd=70151;"
            f'$_ts.cd="{nonce}";</script>'
            f"<script type=\"text/javascript\" r='m'>{_JS_HASH}"
            f"(function(){{var n=String.fromCharCode({','.join(str(ord(c)) for c in RIVERSEC_COOKIE)});"
            f"document.cookie=n+'='+_$h($_ts.cd,{self.rounds})+'; path=/';location.reload();}})();</script>"
            "</head><body></body></html>"
        )
        return Response(412, body.encode(), "text/html; charset=utf-8")

    # ---- WZWS ----
    def _wzws(self, req: Request) -> Response | None:
        ua = req.header("user-agent")
        cookies = _cookies(req)
        if req.path.startswith("/WZWSREL"):
            target = self._decode(req.path[len("/WZWSREL") :])
            if target is None:
                return Response.not_found()
            sid = cookies.get("wzws_sid", "")
            answer = req.query.get("wzwschallenge")
            if answer is not None:
                if sid and answer == str(js_hash(sid, self.rounds)):
                    # solved: back to the page asked for, with the clearance cookie
                    return Response(
                        307,
                        b"",
                        headers=[
                            ("Location", target),
                            ("Set-Cookie", f"wzws_cid={self._mac('cid', ua)}; path=/; HttpOnly"),
                        ],
                    )
                sid = ""  # a wrong answer: a new round
            headers = []
            if not sid:
                sid = self._mac("sid", ua, target)[:20]
                headers.append(("Set-Cookie", f"wzws_sid={sid}; path=/"))
            self._count("challenged")
            body = (
                '<!DOCTYPE html><html><head><meta charset="utf-8"><title></title>'
                f"<script>{_JS_HASH}var wzwschallenge=document.cookie.replace(/(?:(?:^|.*;\\s*)wzws_sid\\s*=\\s*([^;]*).*$)|^.*$/,'$1');"
                f"var dynamicurl=String.fromCharCode({','.join(str(ord(c)) for c in req.path)});"
                f"window.location.href=dynamicurl+'?wzwschallenge='+_$h(wzwschallenge,{self.rounds});</script>"
                "</head><body><noscript>请开启JavaScript并刷新该页</noscript></body></html>"
            )
            return Response(200, body.encode(), "text/html; charset=utf-8", headers)
        if cookies.get("wzws_cid") == self._mac("cid", ua):
            self._count("passed")
            return None
        self._count("challenged")
        return Response(
            307,
            b"",
            headers=[
                ("Location", "/WZWSREL" + self._encode(req.target)),
                ("Set-Cookie", f"wzws_sid={self._mac('sid', ua, req.target)[:20]}; path=/"),
            ],
        )

    @staticmethod
    def _encode(target: str) -> str:
        return base64.urlsafe_b64encode(target.encode()).decode().rstrip("=")

    @staticmethod
    def _decode(text: str) -> str | None:
        try:
            out = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        except ValueError:
            return None
        return out if out.startswith("/") else None
