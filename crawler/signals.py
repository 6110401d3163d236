"""The crawl's own Scrapy signals: how its parts tell each other what happened without
importing each other (send with crawler.signals.send_catch_log)."""

from __future__ import annotations

STOP = object()  # stop the crawl (reason=...): the Stopper does it, as on SIGTERM
ABANDON = object()  # give up every request in flight (the Stopper, after its grace)
FLUSH_STORE = object()  # write what the store pipeline holds now (the crawl has gone idle)
BATCH_WRITTEN = object()  # urls=[...]: these fetches are in the store
ROBOTS_FETCHED = object()  # body=bytes or None: the site's robots.txt, fetched once per run
