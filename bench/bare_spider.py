"""A bare, minimal Scrapy spider: the baseline shoplint's crawler is compared against.

It follows every ``a[href]`` and requests every ``img[src]`` with ``response.follow``,
with Scrapy's default dupefilter, 10 concurrent requests, robots.txt not obeyed.
Nothing is stored, no item is yielded.

    scrapy runspider bench/bare_spider.py -a start_url=http://127.0.0.1:PORT/

Given ``-a pages_file=FILE`` (a URL a line) instead, it fetches those pages and reads
nothing, like lychee fed the page list: the least any Scrapy crawl of them costs.
"""

from pathlib import Path

import scrapy
from scrapy.http import HtmlResponse


class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {
        "CONCURRENT_REQUESTS": 10,
        # Scrapy's default is 8 per domain, which would cap a one-host crawl below 10.
        "CONCURRENT_REQUESTS_PER_DOMAIN": 10,
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
    }

    def __init__(
        self, start_url: str = "http://127.0.0.1:8000/", pages_file: str = "", *args, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fed = bool(pages_file)
        self.start_urls = Path(pages_file).read_text().split() if pages_file else [start_url]

    def parse(self, response):
        if self.fed or not isinstance(response, HtmlResponse):
            return
        for href in response.css("a::attr(href)").getall():
            if href.startswith(("mailto:", "tel:", "javascript:")):
                continue  # Request() raises on these, which would abort the whole callback
            yield response.follow(href, callback=self.parse)
        for src in response.css("img::attr(src)").getall():
            yield response.follow(src, callback=self.parse_asset)

    def parse_asset(self, response):
        return None
