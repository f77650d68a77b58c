"""Capture stage: Scrapy spiders per portal family, the source registry, WARC capture store."""
