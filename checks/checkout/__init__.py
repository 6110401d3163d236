"""The checkout check: walks the shop's checkout like a customer and reports its flaws.

A flow (the `checkout:` section of shoplint.yml, see flow.py) starts on a product page
and does its steps in one browser with its own cookie jar (browser.py): `get` an address,
`follow` a link, `submit` a form filled in as a browser would (forms.py). Each step's
expectations are checked as it goes (walker.py); the pages of the steps that passed are
judged afterwards (page_rules.py): error messages and placeholders, broken links and images,
policy links, the cart price against the product page's (prices.py), http on an https shop.

Safety: a payment provider's host is never requested (the flow ends there, reported as
its hand-over step), `stop_before` ends a flow before a named step, and credentials for a
staging site come from environment variables and go to the site's own hosts only.
"""

from checks.checkout.flow import Flow
from checks.checkout.rules import RULES
from checks.checkout.run import FlowResult, PreparedFlow, prepare_flows, run_flows

__all__ = ["RULES", "Flow", "FlowResult", "PreparedFlow", "prepare_flows", "run_flows"]
