"""The accessibility family's rules (checks/accessibility.py): what a plain crawl can judge
reliably of WCAG 2.2, each rule naming its success criterion. Links, images, headings and
text are the content team's; forms and page structure are IT's (the template's)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from checks.catalogue.rule import Option, Rule, described
from ground.model import Severity as S

Count = described(Annotated[int, Field(ge=2)], "a number, 2 or more")
Scale = described(Annotated[float, Field(gt=0)], "a number above 0")

RULES = (
    Rule(
        code="ACC001",
        family="accessibility",
        name="link-without-name",
        severity=S.ERROR,
        team="content",
        summary="A link a screen reader cannot name: no text, no alt text, no label (WCAG 2.4.4)",
        explanation=(
            "The link has nothing a screen reader can read out: an icon without a label, or an "
            "image whose alt text is empty while the image is all the link has. Blind "
            "customers hear 'link' and the address, or nothing. Give the link words: visible "
            "text, the image's alt text saying where the link goes ('Winkelwagen'), or an "
            "aria-label. WCAG 2.2 success criteria 2.4.4 (link purpose) and 1.1.1 (text "
            "alternatives)."
        ),
    ),
    Rule(
        code="ACC002",
        family="accessibility",
        name="vague-link-text",
        severity=S.WARNING,
        team="content",
        summary="Links all saying 'lees meer' or 'klik hier' that lead elsewhere (WCAG 2.4.4)",
        explanation=(
            "Screen reader users often jump from link to link, or list them, hearing only their "
            "text. Several links that all say 'Lees meer', 'Klik hier' or 'More' but lead to "
            "different pages are then indistinguishable. Make the link text say where it goes "
            "('Lees meer over onderhoud'), or give each an aria-label that does. WCAG 2.2 "
            "success criterion 2.4.4 (link purpose in context). The phrases are in "
            "checks/data/accessibility.yml."
        ),
    ),
    Rule(
        code="ACC003",
        family="accessibility",
        name="alt-text-is-file-name",
        severity=S.WARNING,
        team="content",
        summary="An image whose alt text is a file name ('IMG_2041.jpg') (WCAG 1.1.1)",
        explanation=(
            "The alt text is the image's file name or a camera's number, which the shop "
            "software often fills in by itself. A screen reader reads 'I M G underscore two "
            "zero four one dot j p g' where it should describe the image. Write what the image "
            "shows ('Rode stadsfiets met voorrek'), or alt=\"\" for a decoration. WCAG 2.2 "
            "success criterion 1.1.1 (non-text content)."
        ),
    ),
    Rule(
        code="ACC004",
        family="accessibility",
        name="alt-text-repeats-text",
        severity=S.INFO,
        team="content",
        summary="An image in a link whose alt text repeats the link's text (WCAG 1.1.1)",
        explanation=(
            "The image and the text next to it in the same link say the same thing, so a "
            "screen reader reads it twice ('Gazelle Esprit C3 Gazelle Esprit C3'). When the "
            'text already says it, the image is decoration here: give it alt="". WCAG 2.2 '
            "success criterion 1.1.1 (non-text content), technique H2."
        ),
    ),
    Rule(
        code="ACC005",
        family="accessibility",
        name="empty-heading",
        severity=S.WARNING,
        team="content",
        summary="A heading with no text (WCAG 1.3.1, 2.4.6)",
        explanation=(
            "The page has a heading element (h1 to h6) with nothing in it. Screen reader users "
            "move through a page by its headings and land on an empty one: a heading that "
            "says nothing. Often a template writes the heading for a field that is empty. "
            "Fill it, or leave the element out. WCAG 2.2 success criteria 1.3.1 (info and "
            "relationships) and 2.4.6 (headings and labels)."
        ),
    ),
    Rule(
        code="ACC006",
        family="accessibility",
        name="skipped-heading-level",
        severity=S.INFO,
        team="content",
        summary="The main content's headings skip a level (h2 followed by h4) (WCAG 1.3.1)",
        explanation=(
            "Headings are the outline of a page: h2 sections hold h3 subsections. Jumping from "
            "h2 to h4 suggests a level is missing, and screen reader users who navigate by "
            "level miss the part below it. Use the next level down (choose headings for their "
            "place, not their size: the size is a matter of style). Only the main content "
            "(<main>, else the page) is judged. WCAG 2.2 success criterion 1.3.1."
        ),
    ),
    Rule(
        code="ACC007",
        family="accessibility",
        name="unlabelled-field",
        severity=S.ERROR,
        team="it",
        summary="A form field without a label or accessible name (WCAG 1.3.1, 4.1.2)",
        explanation=(
            "An input, select or text area has no label: no <label for>, no <label> around it, "
            "no aria-label or aria-labelledby, no title, no placeholder. A screen reader says "
            "'edit text' and nothing more, so a blind customer cannot fill in the search box "
            'or the checkout\'s address. Give each field a <label for="its id">. WCAG 2.2 '
            "success criteria 1.3.1, 3.3.2 and 4.1.2."
        ),
    ),
    Rule(
        code="ACC008",
        family="accessibility",
        name="required-marked-by-asterisk-only",
        severity=S.WARNING,
        team="it",
        summary="A required field marked only by an asterisk, not in text or code (WCAG 3.3.2)",
        explanation=(
            "The field's label marks it required with '*', but the field is not marked "
            "required in the code (required, aria-required) and the form does not say what "
            "'*' means. Screen readers read 'star' or nothing, and not every customer knows "
            "the convention. Add the required attribute and a line such as 'Velden met * zijn "
            "verplicht'. (Colour alone cannot be judged without a browser.) WCAG 2.2 success "
            "criteria 3.3.2 (labels or instructions) and 1.4.1 (use of colour)."
        ),
    ),
    Rule(
        code="ACC009",
        family="accessibility",
        name="missing-page-language",
        severity=S.WARNING,
        team="it",
        summary="A page without a language (<html lang>), or with an invalid one (WCAG 3.1.1)",
        explanation=(
            "The page does not say which language it is in, or says it with a code that is "
            'no language (lang="dutch", "en_US"). Screen readers then read Dutch text with '
            "English pronunciation, which is incomprehensible, and browsers offer to translate "
            'it. Set <html lang="nl"> (or en, de, nl-BE ...) in the page template. WCAG 2.2 '
            "success criterion 3.1.1 (language of page)."
        ),
    ),
    Rule(
        code="ACC010",
        family="accessibility",
        name="title-same-across-template",
        severity=S.INFO,
        team="content",
        summary="Many pages with one and the same title: a template's fixed title (WCAG 2.4.2)",
        explanation=(
            "Many different pages share exactly one title, which is what happens when a "
            "template writes a fixed title instead of the page's own. Customers using a screen "
            "reader hear the title first on every page, and with several tabs open nobody can "
            "tell them apart. Let the template put the page's subject in its title. WCAG 2.2 "
            "success criterion 2.4.2 (page titled)."
        ),
        options={
            "min_pages": Option(default=3, type=Count, doc="pages sharing the title"),
        },
    ),
    Rule(
        code="ACC011",
        family="accessibility",
        name="zoom-blocked",
        severity=S.WARNING,
        team="it",
        summary="The page stops customers from zooming in (user-scalable=no) (WCAG 1.4.4)",
        explanation=(
            'The page\'s viewport setting (<meta name="viewport">) forbids zooming '
            "(user-scalable=no) or limits it (a maximum-scale below 2). Partially sighted "
            "customers on a phone cannot enlarge the text or a product photo. Remove "
            "user-scalable and maximum-scale from the viewport setting. WCAG 2.2 success "
            "criterion 1.4.4 (resize text)."
        ),
        options={
            "min_scale": Option(default=2.0, type=Scale, doc="lowest maximum-scale allowed"),
        },
    ),
)
