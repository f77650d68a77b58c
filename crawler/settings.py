"""Scrapy settings of the crawler. Politeness defaults are for real portals; tests and benchmarks
lift them through ``build_settings(overrides)``."""

from __future__ import annotations

import os

from scrapy.settings import Settings

PROJECT_URL = "https://github.com/xxgk-archive/xxgk-archive"
DEFAULT_CONTACT = "xxgk-archive@users.noreply.github.com"


def user_agent(contact: str | None = None) -> str:
    contact = contact or os.environ.get("XXGK_CONTACT") or DEFAULT_CONTACT
    # ASCII only: header values are bytes on the wire
    return f"xxgk-archive/0.1 (+{PROJECT_URL}; archive of government information-disclosure annual reports; contact: {contact})"


BASE = {
    "BOT_NAME": "xxgk",
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 0.5,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "DOWNLOAD_TIMEOUT": 60,
    "DOWNLOAD_MAXSIZE": 200 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 50 * 1024 * 1024,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 3,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    "RETRY_BACKOFF_BASE": 2.0,
    "RETRY_BACKOFF_MAX": 60.0,
    "COOKIES_ENABLED": True,  # WAF cookies (wzws_cid, JSESSIONID) must persist within a run
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        # first: a host outside the government-host allowlist is never contacted (redirects included)
        "crawler.middlewares.AllowlistMiddleware": 50,
        # the transport of each request: the source's registry entry or its host's (crawler/transport.py)
        "crawler.transport.TransportMiddleware": 60,
        "crawler.middlewares.BackoffRetryMiddleware": 550,
        # before RedirectMiddleware (600) sees the hop: a loop fails with its reason, never silently
        "crawler.middlewares.RedirectLoopMiddleware": 650,
        # closest to the downloader: sees every attempt with the body still content-encoded
        "crawler.capture.CaptureMiddleware": 950,
    },
    "SPIDER_MIDDLEWARES": {},
    # every http(s) request goes through the transport dispatcher: default, impersonate, browser
    "DOWNLOAD_HANDLERS": {"http": "crawler.transport.TransportDownloadHandler",
                          "https": "crawler.transport.TransportDownloadHandler"},
    "XXGK_TRANSPORT_ESCALATE": True,  # a challenged request is retried with the next transport
    "XXGK_TRANSPORT_MAX": "browser",  # the highest transport escalation may reach
    "XXGK_BROWSER_SOLVE_SECONDS": 20.0,  # longest a browser page may take past its challenge
    "XXGK_BROWSER_IDLE_SECONDS": 5.0,  # longest it may sit on a challenge without navigating
    # scrapy-playwright (the browser transport): Debian's Chromium, never a downloaded browser;
    # the browser's own headers and cookie jar (the context carries our User-Agent)
    "PLAYWRIGHT_BROWSER_TYPE": "chromium",
    "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": "/usr/bin/chromium", "headless": True},
    "PLAYWRIGHT_PROCESS_REQUEST_HEADERS": None,
    "XXGK_MAX_CONCURRENT_SOURCES": 8,
    "XXGK_HOST_ALLOWLIST": True,
    # Scrapy starts CONCURRENT_ITEMS asyncio workers per callback output; our callbacks yield a few
    # requests and no items, so 100 workers per response is pure overhead.
    "CONCURRENT_ITEMS": 8,
}

# Tests and benchmarks: no delays, no backoff, short timeouts.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "RETRY_BACKOFF_BASE": 0.0,
    "RETRY_TIMES": 2,
    "DOWNLOAD_TIMEOUT": 10,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "CONCURRENT_REQUESTS": 32,
}


def build_settings(overrides: dict | None = None, contact: str | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("scrapy.settings.default_settings", priority="default")
    settings.update(BASE, priority="project")
    settings.set("USER_AGENT", user_agent(contact), priority="project")
    if overrides:
        settings.update(overrides, priority="cmdline")
    return settings
