"""Webhook alert when sources break: one JSON POST listing them (Slack/Matrix/ntfy bridges, a CI hook).

Body::

    {"event": "xxgk.sources_broken", "run_id": ..., "data": ..., "sent_at": ...,
     "broken": [{"source_id", "agency", "family", "start_url", "health", "outcome", "reason",
                 "consecutive_failures", "last_success", "new"}, ...],
     "summary": {"sources", "failed", "pages", "reports_new", "reports_changed", "bytes", "failures"}}

``new`` is true for a source that broke in this run (its first failed run in a row). By default an
alert is sent only when some source is newly broken, so a portal that stays down does not alert on
every run; ``every_run=True`` sends whenever any source is broken.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from datetime import UTC, datetime

WEBHOOK_ENV = "XXGK_WEBHOOK"
EVENT = "xxgk.sources_broken"


def webhook_url(cli_value: str | None) -> str | None:
    return cli_value or os.environ.get(WEBHOOK_ENV) or None


def broken_entries(health: list[dict], run_id: str) -> list[dict]:
    """The sources broken in run ``run_id`` (their latest finished run failed)."""
    out = []
    for h in health:
        if h["health"] != "broken" or h["last_run"] != run_id:
            continue
        out.append(
            {
                "source_id": h["source_id"],
                "agency": h["agency"],
                "family": h["family"],
                "start_url": h["start_url"],
                "health": h["health"],
                "outcome": h["last_outcome"],
                "reason": h["reason"],
                "consecutive_failures": h["consecutive_failures"],
                "last_success": h["last_success"],
                "failing_hosts": json.loads(h["failing_hosts"] or "{}"),
                "new": h["consecutive_failures"] == 1,
            }
        )
    return out


def alert_body(run_id: str, data_dir: str, broken: list[dict], summary: dict) -> dict:
    return {
        "event": EVENT,
        "run_id": run_id,
        "data": data_dir,
        "sent_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "broken": broken,
        "summary": summary,
    }


def should_alert(broken: list[dict], every_run: bool = False) -> bool:
    return bool(broken) and (every_run or any(b["new"] for b in broken))


def post(url: str, body: dict, timeout: float = 10.0) -> tuple[int | None, str]:
    """POST body as JSON; returns (HTTP status or None, a one-line outcome). Never raises: an
    unreachable alert endpoint must not fail the update that found the broken sources."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "xxgk-archive alerts"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, f"alert sent to {url} (HTTP {resp.status})"
    except urllib.error.HTTPError as exc:
        return exc.code, f"alert to {url} refused: HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return None, f"alert to {url} failed: {exc}"
