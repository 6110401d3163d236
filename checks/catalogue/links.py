"""The links family's rules (checks/links.py): every link on the site leads somewhere that
works."""

from __future__ import annotations

from checks.catalogue.rule import Option, Rule
from ground.model import Severity as S

RULES = (
    Rule(
        code="LNK001",
        family="links",
        name="broken-link",
        severity=S.ERROR,
        team="content",
        summary="Link to a page of the site that does not exist (404, 410 or another 4xx answer)",
        explanation=(
            "A link on this page leads to an address of the shop that answers 'not found' or "
            "'gone', directly or at the end of its redirects. A customer who clicks it lands on an "
            "error page instead of the product or information they wanted, and often leaves. "
            "Change the link to the page's current address (search the shop for it), or remove "
            "the link if the page is gone for good."
        ),
    ),
    Rule(
        code="LNK002",
        family="links",
        name="link-to-server-error",
        severity=S.ERROR,
        team="it",
        summary="Link to a page of the site that answers with a server error or not at all",
        explanation=(
            "A link on this page leads to an address where the shop's own server fails: it "
            "answers with a server error (5xx), or does not answer in time, refuses the "
            "connection or breaks it off, sends a page too large to load (over the crawl's size "
            "limit, crawl.max_response_bytes), or redirects to an address no browser opens "
            "(javascript:, ftp:, file:, data:). The page may well exist, but customers cannot "
            "open it. "
            "This is for the IT team: open the address, look in the server's error log for it, "
            "and fix the page; the link itself is probably right."
        ),
    ),
    Rule(
        code="LNK003",
        family="links",
        name="redirected-link",
        severity=S.WARNING,
        team="content",
        summary="Link to an address that has moved (permanent redirect): update the link",
        explanation=(
            "A link on this page points to an old address that the shop redirects to a new one. "
            "Customers still arrive, but every click costs an extra round trip, and if the "
            "redirect is ever removed the link breaks. Replace the link with the new address "
            "shown in the evidence."
        ),
        options={
            "redirect_statuses": Option(
                default=[301, 308], type=list[int], doc='which first-hop statuses mean "moved"'
            ),
        },
    ),
    Rule(
        code="LNK004",
        family="links",
        name="redirect-chain",
        severity=S.WARNING,
        team="it",
        summary="Link that goes through a long chain of redirects",
        explanation=(
            "A link on this page reaches its page only after several redirects in a row, "
            "usually because a page moved more than once. Each hop makes the page slower to "
            "open, especially on a phone, and search engines may stop following the chain. "
            "Let the first address redirect straight to the final one, and update the link to "
            "the final address (shown last in the evidence)."
        ),
        options={
            "max_hops": Option(default=3, type=int, doc="more redirects than this is a finding"),
        },
    ),
    Rule(
        code="LNK005",
        family="links",
        name="redirect-loop",
        severity=S.ERROR,
        team="it",
        summary="Link to an address that redirects in a loop",
        explanation=(
            "A link on this page leads to an address that redirects to another, which redirects "
            "back again, or on and on: after 20 redirects the browser gives up with an error "
            "('too many redirects') and the customer never sees a page. This is a server "
            "setting: the IT team must break the loop or shorten the chain (the evidence shows "
            "its hops); then point the link at the right page."
        ),
    ),
    Rule(
        code="LNK006",
        family="links",
        name="broken-fragment",
        severity=S.WARNING,
        team="content",
        summary="Link to a section (#name) that does not exist on its page",
        explanation=(
            "A link on this page points to a section of a page (the part after '#'), but that "
            "page has no element with that id or name. The page opens, but at the top instead "
            "of the section the customer asked for (specifications, reviews, a size table). "
            "Correct the part after '#' to the section's real id, or add the id to the section."
        ),
    ),
    Rule(
        code="LNK007",
        family="links",
        name="malformed-link",
        severity=S.ERROR,
        team="content",
        summary="Link whose address is malformed",
        explanation=(
            "The address of a link on this page is not a valid web address: a typing error such "
            "as 'htp//', 'http:/' or 'http:' without '//', an address without a site name "
            "('http://'), spaces or stray characters. Browsers either do nothing when it is "
            "clicked or guess and open a page that does not exist. Correct the address in the "
            "page's editor."
        ),
    ),
    Rule(
        code="LNK008",
        family="links",
        name="broken-external-link",
        severity=S.ERROR,
        team="content",
        summary="Link to another website that does not exist or cannot be reached",
        explanation=(
            "A link on this page points to another website (a brand, a partner, a manual) whose "
            "page answers 'not found' or an error, whose name no longer exists, or that refuses "
            "connections; so does a link to a page of the shop that redirects there (the evidence "
            "shows the redirects). Customers who click it reach a dead end. Find the page's new "
            "address on that website, or remove the link. The options of this rule apply to every "
            "external-link check (LNK008, LNK009, LNK010)."
        ),
        options={
            "timeout": Option(
                default=10.0,
                type=float,
                doc="seconds for one attempt, wall clock: its redirects and whole answer included",
            ),
            "retries": Option(
                default=2, type=int, doc="extra attempts on timeouts and 429/502/503/504 answers"
            ),
            "backoff": Option(
                default=1.0, type=float, doc="seconds before the first retry, doubled each time"
            ),
            "per_host_concurrency": Option(
                default=2, type=int, doc="requests in flight to one website"
            ),
            "recheck_ok_days": Option(
                default=7, type=float, doc="an OK result is trusted this long; others: every run"
            ),
            "max_retry_after": Option(
                default=30.0,
                type=float,
                doc="seconds a site may ask to wait (Retry-After) for a retry; longer: no retry",
            ),
            "private_hosts": Option(
                default=[],
                type=list[str],
                doc="hosts that may be checked on a loopback or private address (an intranet); "
                "link-local and multicast addresses never are",
            ),
        },
    ),
    Rule(
        code="LNK009",
        family="links",
        name="unverified-external-link",
        severity=S.INFO,
        team="content",
        summary="Link to another website that could not be verified (it blocks automated checks)",
        explanation=(
            "The website this link points to turns automated visitors away (it answers 'access "
            "denied', shows a 'are you a robot?' check, or keeps asking to wait), so shoplint "
            "cannot tell whether the page exists; links in an internal-only run are listed here "
            "unchecked too. Customers' browsers usually get through. Nothing is known to be "
            "wrong: open the link yourself once in a while to make sure it still works."
        ),
    ),
    Rule(
        code="LNK010",
        family="links",
        name="unresponsive-external-link",
        severity=S.WARNING,
        team="content",
        summary="Link to another website that did not answer in time",
        explanation=(
            "The website this link points to did not answer within the time limit, even after "
            "a few attempts, or said it was temporarily unavailable. It may be slow or down for "
            "a while; customers who click the link wait, or see an error. If it happens on "
            "several runs in a row, check the link yourself and replace or remove it."
        ),
    ),
)
