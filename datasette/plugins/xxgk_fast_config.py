"""Memoise ``Datasette.plugin_config``: the metadata never changes while the site runs (immutable
archive, metadata.yml read at start-up), yet datasette-render-markdown (installed with
datasette-dashboards) asks for its configuration once per text cell, and each call merges the whole
metadata again. On a 1,000-row canned query that was a quarter of the page's CPU time.

datasette-dashboards, though, edits the dict it is given (it writes each chart's query with the
request's filters filled in), so it gets a fresh copy on every call: with a shared dict, the first
visit's filters stuck to every later visit (an unfiltered dashboard showing 0 reports after one
``?level=central`` visit)."""

from __future__ import annotations

import copy

from datasette import hookimpl

# Plugins that change the configuration they are handed.
MUTATED_BY_CALLER = {"datasette-dashboards"}


def memoise_plugin_config(datasette) -> None:
    original = datasette.plugin_config
    if getattr(original, "memoised", False):
        return
    cache: dict = {}

    def plugin_config(plugin_name, database=None, table=None, fallback=True):
        key = (plugin_name, database, table, fallback)
        if key not in cache:
            cache[key] = original(plugin_name, database=database, table=table, fallback=fallback)
        if plugin_name in MUTATED_BY_CALLER:
            return copy.deepcopy(cache[key])
        return cache[key]

    plugin_config.memoised = True
    datasette.plugin_config = plugin_config


@hookimpl
def startup(datasette):
    memoise_plugin_config(datasette)
