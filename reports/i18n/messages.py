"""Finding messages in the report's language.

The checks write their messages in English and the store keeps them so (a run reported
again in another language needs no crawl). Each template below is a gettext message whose
{placeholders} stand for the parts a check fills in; a message is translated by the first
template it matches in full, its parts put into the translation:

1. a part named in NUMBERS is a number ("3,506"), written again the language's way;
2. a part named in DATES is a date ("15 March 2025"), written again the same way;
3. a part named in LANGUAGE_NAMES is a language's English name, named again by Babel;
4. any other part is translated the same way in turn (the "(404, after 2 redirects)" of a
   message is a template of its own), or kept as it is: an address, a step's name.

A new rule's messages get templates here; tests/test_i18n.py fails on a message of the
demo shop's report that no template translates.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.i18n.translator import Translator


def N_(message: str) -> str:
    """Marks a template for `pybabel extract`; translated where it is used."""
    return message


NUMBERS = frozenset(
    {
        "n",
        "m",
        "ms",
        "budget",
        "limit",
        "limit2",
        "low",
        "high",
        "kb",
        "days",
        "score",
        "target",
        "attempts",
    }
)
DATES = frozenset({"date"})
LANGUAGE_NAMES = frozenset({"language", "declared", "detected"})  # "Dutch": Babel names it

TEMPLATES = (
    # parts many messages share
    N_("yesterday"),
    N_("{days} days ago"),
    N_("{status}, after 1 redirect"),
    N_("{status}, after {n} redirects"),
    N_("{message}, reached through a redirect"),
    N_("{message} (and {n} more on this page)"),
    N_("{message}; aim for at least {target}: short sentences, everyday words"),
    N_("no answer"),
    # links
    N_("Link to a page that does not exist ({status})"),
    N_("Link to a page that is gone ({status})"),
    N_("Link to a page that cannot be opened ({status})"),
    N_("Link to a page with a server error ({status})"),
    N_("Link to a page of the site that does not answer ({failure})"),
    N_(
        "Link to a page of the site too large to load: over the crawl's size limit"
        " (crawl.max_response_bytes)"
    ),
    N_(
        "Link to a page of the site too large to load{via}: over the crawl's size limit"
        " (crawl.max_response_bytes)"
    ),
    N_(", after 1 redirect"),
    N_(", after {n} redirects"),
    N_("its name does not resolve"),
    N_("connection refused"),
    N_("no answer in time"),
    N_("secure connection failed"),
    N_("answer cut off"),
    N_("no valid answer"),
    N_("Link to an address that redirects {n} times: {why}"),
    N_("Link to an address that redirects {n} times or more: {why}"),
    N_("browsers give up after {n}"),
    N_("more than the crawl follows (crawl.max_redirects)"),
    N_("Link to an address that redirects in a loop"),
    N_("Link to an address that redirects to {url}, which no browser opens"),
    N_("Link goes through {n} redirects (more than {limit})"),
    N_("Link to an address that has moved ({status}) to {url}: update it"),
    N_("Link to a section that does not exist on its page (#{anchor})"),
    N_("Link with a malformed address: {url}"),
    N_("Link to an external page that does not exist ({status})"),
    N_("Link to an external page that cannot be opened ({status})"),
    N_("Link to an external page with a server error ({status})"),
    N_("Link to a website whose name no longer exists (DNS)"),
    N_("Link to a website that refuses connections"),
    N_("Link to a website whose secure connection fails (TLS certificate)"),
    N_("Link to an external address that cannot be requested"),
    N_("Link to an internal network address customers cannot reach, never requested: {detail}"),
    N_("External link could not be verified: the site blocks robots ({status})"),
    N_("External link could not be verified: the site shows a bot check"),
    N_("External link could not be verified: rate-limited ({status})"),
    N_("External link could not be verified: too many redirects"),
    N_("External link could not be verified: unexpected answer ({status})"),
    N_("External link not checked (internal-only run)"),
    N_("External site did not answer in time ({attempts} attempts)"),
    N_("External site is temporarily unavailable ({status})"),
    N_("External site broke off the connection ({attempts} attempts)"),
    N_("External site could not be reached from here"),
    # images: the noun is the kind of file
    N_("Image"),
    N_("Video poster image"),
    N_("Share image"),
    N_("Video"),
    N_("Audio file"),
    N_("Video or audio file"),
    N_("Subtitle file"),
    N_("{noun} that does not exist (404)"),
    N_("{noun} that was removed (410 Gone)"),
    N_("{noun} that cannot be loaded ({status})"),
    N_("{noun} too large to download (over the crawl's size limit: {size})"),
    N_("{noun} could not be fetched: {reason}"),
    N_("the host name does not resolve"),
    N_("the server refused the connection"),
    N_("the server did not answer in time"),
    N_("the secure connection failed (TLS)"),
    N_("the download was cut off"),
    N_("the server's answer was garbled"),
    N_("{noun} address redirects in a loop"),
    N_("{noun} address redirects more often than browsers follow"),
    N_("{noun} address redirects to {url}, which no browser opens"),
    N_("{noun} address answers a server error ({status})"),
    N_("{noun} is an empty file (0 bytes)"),
    N_("{noun} address answers {media_type}, not an image"),
    N_("{noun} file is not in any image format"),
    N_("{noun} has more pixels than browsers decode comfortably (phones give up)"),
    N_("{noun} file is damaged (cut off or corrupt) and cannot be shown"),
    N_("Heavy image: {kb} KB, over the limit of {limit} KB"),
    N_("Image without alt text"),
    N_("Image with empty alt text"),
    # pages
    N_("Error message shown on the page"),
    N_("Stack trace shown on the page"),
    N_("Unrendered template code shown on the page"),
    N_("Filler text ('Lorem ipsum') on the page"),
    N_("'{value}' shown where a price or name should be"),
    N_("Page says it does not exist"),
    N_("Page looks like the site's not-found page but answers 200 OK"),
    N_("Page answers a server error ({status})"),
    N_("Page that no page links to"),
    N_("Address kept answering 429 Too Many Requests: not checked"),
    N_("Sitemap lists {what}"),
    N_("Sitemap lists an address that redirects in a loop"),
    N_("Sitemap lists an address that redirects to {what}"),
    N_("Sitemap lists an address that redirects to another page"),
    N_("a page that does not exist (404)"),
    N_("a page that was removed (410 Gone)"),
    N_("a page that answers a server error ({status})"),
    N_("a page that cannot be opened ({status})"),
    N_("Missing pages redirect to {url} instead of answering 404 Not Found"),
    N_("Missing pages answer a server error ({status}) instead of 404 Not Found"),
    N_("Missing pages answer {status} instead of 404 Not Found"),
    N_("Crawler trap: {pattern} leads on to ever new addresses, link after link"),
    N_("Crawler trap: {pattern} puts a new token in the path of every page"),
    # freshness
    N_("Promotion ended on {date}, {ago}"),
    N_("The offer price was valid until {date} ({ago}), says the page's structured data"),
    N_(
        "The offer price of {product} was valid until {date} ({ago}), says the page's structured"
        " data"
    ),
    N_("Copyright year {year} is out of date (this year is {this_year})"),
    N_(
        "Page last updated on {date}, {ago}: pages like this should be reviewed at least every"
        " {days} days"
    ),
    N_(
        "Features '{product}', which is out of stock: take it off this page, or ask inventory"
        " when it is back"
    ),
    # language
    N_("Difficult to read: reading ease {score} ({formula}, {language})"),
    N_("Very difficult to read: reading ease {score} ({formula}, {language})"),
    N_(
        "The page declares {declared} ({declared_code}), but its text is {detected}"
        " ({detected_code})"
    ),
    # checkout
    N_("Checkout step '{step}' took {ms} ms (budget {budget} ms)"),
    N_("Checkout step '{step}' failed: {note}"),
    N_("Checkout step '{step}' goes over plain http"),
    N_("expected status {wanted}, found {status}"),
    N_("expected an element matching '{selector}', found none"),
    N_("expected the text '{text}', not on the page"),
    N_("expected no '{text}', found it on the page"),
    N_("no link matches '{selector}' on {url}"),
    N_("'{selector}' on {url} is not a link"),
    N_("no form matches '{selector}' on {url}"),
    N_("An error message on the checkout page of step '{step}'"),
    N_("Text never meant for customers on the checkout page of step '{step}'"),
    N_("Link on the checkout page of step '{step}' does not work ({problem})"),
    N_("Image on the checkout page of step '{step}' does not load ({problem})"),
    N_("Form on the checkout page of step '{step}' sends to an http address"),
    N_("Checkout page of step '{step}' loads {what} over http"),
    N_("The {where} (step '{step}') has no link to the {policy}"),
    N_("The link to the {policy} on the {where} does not work ({problem})"),
    N_("cart page"),
    N_("last checkout page reached"),
    N_("terms and conditions"),
    N_("privacy statement"),
    N_("returns policy"),
    N_("an image"),
    N_("a stylesheet"),
    N_("an icon"),
    N_("a script"),
    N_("a frame"),
    N_("The cart shows {charged} for the product; its product page {url} shows {price}"),
    N_("A call of the checkout page of step '{step}' to its site failed ({status})"),
    N_("no element matches '{selector}' on {url}"),
    N_("no field matches '{selector}' on {url}"),
    N_("no list of choices matches '{selector}' on {url}"),
    N_("'{selector}' on {url} offers no '{choice}' (choices: {choices})"),
    N_("'{selector}' on {url} cannot be used (hidden, covered or disabled)"),
    N_("expected an element matching '{selector}' to show, none did within {n} s"),
    # browser
    N_("Script error: {error}"),
    N_("A call of the page to its site failed ({status})"),
    N_("Image did not show in the browser"),
    N_("The page shows an error: '{said}'"),
    N_("The page is empty in the browser"),
    N_("Content stays hidden after a script error"),
    # seo
    N_("The page has no meta description"),
    N_("The page has an empty meta description"),
    N_(
        "Title too long for search results: {n} characters, about {m} pixels (shown in full up"
        " to {limit} characters and {limit2} pixels)"
    ),
    N_("Meta description too short: {n} characters (aim for {low} to {high})"),
    N_("Meta description too long: {n} characters, cut off after about {limit}"),
    N_("The page has no main heading (h1)"),
    N_("The page's h1 is empty"),
    N_("The page has {n} different main headings (h1)"),
    N_("Language versions ({codes}) without an x-default"),
    N_('hreflang="{code}" is not a valid language (and region) code'),
    N_(
        "hreflang says this is the {declared} ({code}) version, but its text is {detected}"
        " ({detected_code})"
    ),
    N_("{n} different pages have the title “{value}”"),
    N_("{n} different pages have the meta description “{value}”"),
    N_("The title is only the shop's name (“{title}”)"),
    N_("The canonical link names an address that {problem}"),
    N_("is on another host"),
    N_("could not be fetched ({error})"),
    N_("redirects ({status}) to {url}"),
    N_("answers {status}"),
    N_("says noindex (meta robots “{robots}”)"),
    N_("The {code} version's address {problem}"),
    N_("The {code} version does not name this page as one of its versions"),
    N_("The sitemap lists a page that robots.txt forbids search engines to crawl"),
    N_("The sitemap lists a page that says noindex"),
    N_("The sitemap lists this address, but its canonical link names another"),
    # accessibility
    N_("An image link without a name: its only content is an image with {said}"),
    N_("no alt text"),
    N_("an empty alt text"),
    N_("A link without a name: no text, no alt text, no aria-label (an icon?)"),
    N_("Links with the same vague text lead to different places: {said}"),
    N_("The alt text is a file name, not a description: “{alt}”"),
    N_("The alt text repeats the text beside the image: “{alt}” is read twice"),
    N_("An empty heading: a heading with no text ({tags})"),
    N_("{n} empty headings: a heading with no text ({tags})"),
    N_("Heading level skipped: {before} followed by {after}"),
    N_("A form field without a label or accessible name"),
    N_("{n} form fields without a label or accessible name"),
    N_("A field marked required by '*' only: not in code, and no text says what * means"),
    N_("{n} fields marked required by '*' only: not in code, and no text says what * means"),
    N_("The page does not say which language it is in (<html> without lang)"),
    N_("The page's language code “{lang}” is no language code"),
    N_("The page stops customers from zooming in"),
    N_("{n} different pages share the title “{title}”"),
    # products
    N_("The product “{product}” has no description"),
    N_("The description of “{product}” has {n} words (at least {limit} wanted)"),
    N_("The product “{product}” has no image"),
    N_("The product “{product}” is shown with a placeholder image"),
    N_("The product data of “{product}” has no {missing}"),
    N_("The page shows {shown}, its structured data says {price} for “{product}”"),
    N_("The structured data says “{product}” is in stock; the page says sold out"),
    N_("The structured data says “{product}” is sold out; the page sells it"),
    N_("{n} products have the same description"),
    N_("{n} products are shown with one and the same image"),
    N_("No category page links to this product: customers find it only by search"),
    # spelling
    N_("“{word}” is likely misspelled: did you mean {suggestions}?"),
    N_("“{word}” in {place} is likely misspelled: did you mean {suggestions}?"),
    N_("the page title"),
    N_("a heading"),
    N_("a button"),
    N_("the navigation"),
    N_("“{words}”: a word written twice"),
    N_("Vocabulary words that no page uses any more ({source}): {n}"),
)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class FindingTexts:
    """The templates of one language, compiled; each text is translated once."""

    def __init__(self, translator: Translator):
        self._translator = translator
        compiled = []
        for template in TEMPLATES:
            if not translator.has(template):
                continue  # untranslated: the text stays English
            translated = translator.gettext(template)
            pattern, literal = _pattern(template)
            compiled.append((literal, pattern, translated))
        compiled.sort(key=lambda item: -item[0])  # the most specific template first
        self._templates = [(pattern, translated) for _, pattern, translated in compiled]
        self._done: dict[str, str] = {}

    def translate(self, text: str) -> str:
        done = self._done.get(text)
        if done is None:
            done = self._done[text] = self._translated(text)
        return done

    def _translated(self, text: str) -> str:
        for pattern, translated in self._templates:
            match = pattern.fullmatch(text)
            if match is None:
                continue
            parts = {name: self._part(name, value) for name, value in match.groupdict().items()}
            return translated.format(**parts)
        return text

    def _part(self, name: str, value: str) -> str:
        if name in NUMBERS:
            try:
                return self._translator.number(Decimal(value.replace(",", "")))
            except InvalidOperation:
                return value
        if name in DATES:
            try:
                return self._translator.day(datetime.strptime(value, "%d %B %Y").date())
            except ValueError:
                return value
        if name in LANGUAGE_NAMES:
            return self._translator.language_name(value)
        return self.translate(value) if len(value) > 1 else value


def _pattern(template: str) -> tuple[re.Pattern[str], int]:
    """The template as a regular expression matching a whole message, and how many of its
    characters are literal (more: more specific)."""
    parts, literal, position = [], 0, 0
    for found in _PLACEHOLDER.finditer(template):
        text = template[position : found.start()]
        parts.append(re.escape(text))
        literal += len(text)
        parts.append(f"(?P<{found.group(1)}>.+?)")
        position = found.end()
    parts.append(re.escape(template[position:]))
    literal += len(template) - position
    return re.compile("".join(parts), re.DOTALL), literal
