"""Capture stage: Scrapy spiders per portal family, the source registry, WARC capture store.

- ``crawler.registry``: the source registry (YAML), ``load_sources`` / ``xxgk sources check``.
- ``crawler.spiders``: one spider class per CMS family over three access patterns (paged HTML
  columns, paged JSON lists, link-following), one spider instance per source.
- ``crawler.capture``: the downloader middleware writing every exchange to the store.
- ``crawler.store``: ``CaptureStore`` (DATA/warc/*.warc.gz + DATA/captures.db), the archive's input.
- ``crawler.cli``: ``xxgk crawl --sources FILE --data DIR [--source ID] [--run-id ID] [--fast]``.
"""
