"""The checkout check: walks the shop's checkout like a customer and reports its flaws.

A flow (the `checkout:` section of shoplint.yml, see flow.py) starts on a product page
and does its steps in one browser with its own cookie jar (browser.py): `get` an address,
`follow` a link, `submit` a form filled in as a browser would (forms.py). Each step's
expectations are checked as it goes (walker.py); the pages of the steps that passed are
judged afterwards (page_rules.py): error messages and placeholders, broken links and images,
policy links, the cart price against the product page's (prices.py), http on an https shop.
A flow with `browser: true` does its steps in Chromium instead (rendered.py): clicks,
fields and the shop's own scripts, each step's failed calls and a screenshot of a failed
step; its rendered pages are judged by the same rules.

Safety: a payment provider's host is never requested (the flow ends there, reported as
its hand-over step), `stop_before` ends a flow before a named step, and credentials for a
staging site come from environment variables and go to the site's own hosts only.

The rules are declared in checks/catalogue/checkout.py. The flow schema (flow.py) is
light, for the configuration; the walking (run.py, with httpx) is imported on first use of
its names from this package, so that loading a configuration never imports it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checks.checkout.flow import Flow
    from checks.checkout.run import FlowResult, PreparedFlow, prepare_flows, run_flows

__all__ = ["Flow", "FlowResult", "PreparedFlow", "prepare_flows", "run_flows"]
_HOMES = {
    "Flow": "checks.checkout.flow",
    "FlowResult": "checks.checkout.run",
    "PreparedFlow": "checks.checkout.run",
    "prepare_flows": "checks.checkout.run",
    "run_flows": "checks.checkout.run",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
