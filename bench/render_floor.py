#!/usr/bin/env python3
"""What Chromium alone costs on render_bench's shop: a plain playwright loop, no crawler.

Four browser pages at once, as render_bench's `always` case (render_concurrency 4), each
page of the shop loaded (`load`), left 0.2 s to settle, read as shoplint reads it (its
settled-page script, then the DOM), and the browser page replaced every 20 loads: no
Scrapy, no parse, no checks, no store. Its pages/s and CPU a page, by process kind, are the
floor under `crawl.render: always` on this machine.

    python bench/render_floor.py                 # 300 pages
    python bench/render_floor.py --pages 1000 --listen

`--listen` adds the four network listeners shoplint's watch has (request, its end, its
failure, each response): what hearing of every sub-request costs. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from measure import run_child
from render_bench import shop_server

ROOT = Path(__file__).resolve().parent.parent
PAGES_AT_ONCE = 4
LOADS_PER_PAGE = 20
SETTLE_S = 0.2
NETWORK_EVENTS = ("request", "requestfinished", "requestfailed", "response")


async def render_all(urls: list[str], chromium: str, listen: bool) -> None:
    """The loop itself: the measured child."""
    sys.path.insert(0, str(ROOT))
    from playwright.async_api import async_playwright

    from crawler.rendering import _CONTENT, _SETTLED_JS, _WAITING
    from ground.chromium import LAUNCH_ARGS

    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium, headless=True, args=list(LAUNCH_ARGS)
        )
        context = await browser.new_context()

        async def new_page():
            page = await context.new_page()
            for event in NETWORK_EVENTS if listen else ():
                page.on(event, lambda _: None)
            return page

        async def worker() -> None:
            page, loads = await new_page(), 0
            while not queue.empty():
                await page.goto(queue.get_nowait(), wait_until="load")
                await asyncio.sleep(SETTLE_S)
                await page.evaluate(_SETTLED_JS, [_CONTENT, _WAITING])
                await page.content()
                loads += 1
                if loads == LOADS_PER_PAGE:
                    await page.close()
                    page, loads = await new_page(), 0

        await asyncio.gather(*(worker() for _ in range(PAGES_AT_ONCE)))
        await browser.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--listen", action="store_true", help="with the four network listeners")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--loop", metavar="URLS_FILE", help=argparse.SUPPRESS)  # the child
    args = ap.parse_args(argv)
    if args.loop:
        urls = Path(args.loop).read_text().split()
        asyncio.run(render_all(urls, args.chromium, args.listen))
        return 0
    with shop_server(args.pages, 0.0, args) as server, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "pages.txt").write_text("\n".join(server.pages()[: args.pages]))
        cmd = [sys.executable, __file__, "--loop", str(work / "pages.txt")]
        cmd += ["--chromium", args.chromium] + (["--listen"] if args.listen else [])
        r = run_child("playwright", cmd, server, 3600, work / "floor.log", work)
    pages = r["pages_fetched"]
    label = "plain playwright" + (" with listeners" if args.listen else "")
    print(
        f"{label}: {pages} pages, {pages / r['wall_s']:.1f} pages/s, "
        f"{1000 * r['cpu_s'] / pages:.0f} ms CPU a page, peak PSS {r['peak_pss_tree_mb']:.0f} MB"
    )
    for kind, cpu in sorted(r["cpu_by_process_kind_s"].items(), key=lambda kv: -kv[1]):
        print(f"  {kind}: {1000 * cpu / pages:.0f} ms a page")
    return 0 if r["exit_code"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
