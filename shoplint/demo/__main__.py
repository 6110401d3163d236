"""Run the demo shop in the foreground: ``python -m shoplint.demo [--port 8000]``."""

from __future__ import annotations

import argparse
import datetime as dt

from .server import DemoShop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shoplint.demo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        default=None,
        help="pretend today is this date (YYYY-MM-DD)",
    )
    args = parser.parse_args(argv)
    shop = DemoShop(host=args.host, port=args.port, today=args.today)
    shop._bind()
    print(f"Fietsenwinkel De Spaak draait op {shop.url} (Ctrl+C om te stoppen)", flush=True)
    shop.serve_forever()


if __name__ == "__main__":
    main()
