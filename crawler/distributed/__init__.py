"""One crawl shared by many processes over Redis (`shoplint run --frontier`, `shoplint worker`).

Each process runs the same Scrapy crawl with a few settings more (settings.py); what they
must agree on lives in Redis under the crawl's prefix (keys.py): the request queue, with a
lease on each request taken (queue.py), the frontier's guards, decided atomically per URL
(admission.py), the limit per host on requests in parallel (host_limit.py), and when the
crawl is over (shared_crawl.py).
"""
