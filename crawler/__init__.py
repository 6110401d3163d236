"""The crawl: a standard Scrapy spider, its settings, item pipeline and extensions."""
