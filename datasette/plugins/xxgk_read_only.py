"""The site is read-only: every method but GET/HEAD/OPTIONS is refused with 405 before Datasette
sees it (Datasette 0.65 answers a POST to a table with a 500 assertion error otherwise)."""

from __future__ import annotations

from datasette import hookimpl

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def refuse_writes(app):
    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope.get("method", "GET").upper() not in READ_METHODS:
            body = b"405 Method Not Allowed: this archive is read-only\n"
            await send({"type": "http.response.start", "status": 405,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD"),
                                    (b"content-length", str(len(body)).encode())]})  # fmt: skip
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return wrapped


@hookimpl
def asgi_wrapper(datasette):
    return refuse_writes
