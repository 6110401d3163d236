"""Filling in a form the way a browser submits it (the HTML standard's form submission):
hidden inputs and default values travel as they are, so CSRF tokens need no configuration;
checked radio buttons and check boxes, selected options (the first when none is selected)
and the submit button that was pressed; then the step's `fields` on top."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import Tag

_CONTROLS = ("input", "select", "textarea", "button")
_BUTTON_TYPES = frozenset({"submit", "image", "button", "reset"})
_WHITESPACE = re.compile(r"\s+")


class FormError(Exception):
    """The form cannot be submitted as configured (no form, a field it does not have)."""


@dataclass(frozen=True)
class Submission:
    method: str  # GET or POST
    url: str  # the action, resolved; a GET's carries the entries as its query
    entries: tuple[tuple[str, str], ...]  # what a POST sends, in order (a GET: in the URL)


def submission(target: Tag, base_url: str, fields: Mapping[str, str]) -> Submission:
    """What submitting `target` sends: a <form> (submitted with its first submit button,
    as pressing Enter does) or a submit button in one. `base_url` resolves the action."""
    form = target if target.name == "form" else _form_of(target)
    if form is None:
        raise FormError("is not a form, nor a button in one")
    controls = _controls(form)
    if target is form:
        submitter = next((c for c in controls if _is_submit_button(c)), None)
    else:
        submitter = target if _is_submit_button(target) else None
    entries = [entry for control in controls for entry in _entries(control, submitter)]
    entries = _filled(entries, controls, fields)
    method = _attr(submitter, "formmethod") or form.get("method") or "get"
    method = "POST" if str(method).strip().lower() == "post" else "GET"
    action = _attr(submitter, "formaction") or form.get("action") or ""
    url = urldefrag(urljoin(base_url, str(action).strip()))[0]
    if method == "GET":
        scheme, netloc, path, _, _ = urlsplit(url)
        return Submission(method, urlunsplit((scheme, netloc, path, urlencode(entries), "")), ())
    return Submission(method, url, tuple(entries))


def _form_of(el: Tag) -> Tag | None:
    owner = el.get("form")
    if owner:
        root = next((p for p in el.parents if p.parent is None), el)
        return root.find("form", id=owner)
    return el.find_parent("form")


def _controls(form: Tag) -> list[Tag]:
    """The form's controls in document order: those inside it (unless they name another
    form) and those outside that name it with form="id"."""
    form_id = form.get("id")
    inside = [c for c in form.find_all(_CONTROLS) if c.get("form") in (None, form_id)]
    if not form_id:
        return inside
    root = next((p for p in form.parents if p.parent is None), form)
    seen = {id(c) for c in inside}  # by identity: bs4 compares tags by their markup
    outside = [c for c in root.find_all(_CONTROLS, form=form_id) if id(c) not in seen]
    return inside + outside


def _entries(control: Tag, submitter: Tag | None) -> list[tuple[str, str]]:
    name = control.get("name")
    if not name or _disabled(control):
        return []
    kind = _type(control)
    if control.name == "select":
        return [(name, _option_value(o)) for o in _selected_options(control)]
    if control.name == "textarea":
        return [(name, control.get_text().removeprefix("\n"))]
    if kind in _BUTTON_TYPES or control.name == "button":
        if control is not submitter:
            return []
        if kind == "image":
            return [(f"{name}.x", "0"), (f"{name}.y", "0")]
        return [(name, control.get("value", ""))]
    if kind in ("checkbox", "radio"):
        return [(name, control.get("value", "on"))] if control.has_attr("checked") else []
    return [(name, control.get("value", ""))]


def _filled(
    entries: list[tuple[str, str]], controls: list[Tag], fields: Mapping[str, str]
) -> list[tuple[str, str]]:
    """`entries` with each field's value in place of the form's own (first place kept);
    a name the form has no control for, or a choice it does not offer, is an error."""
    names = {c.get("name") for c in controls if c.get("name")}
    for name, value in fields.items():
        if name not in names:
            known = ", ".join(sorted(n for n in names if n)) or "none"
            raise FormError(f"has no field named {name!r} (fields: {known})")
        choices = _choices(controls, name)
        if choices and value not in choices:
            raise FormError(f"offers no {value!r} for {name!r} (choices: {', '.join(choices)})")
        at = next((i for i, (n, _) in enumerate(entries) if n == name), None)
        entries = [e for e in entries if e[0] != name]
        entries.insert(len(entries) if at is None else at, (name, value))
    return entries


def _choices(controls: list[Tag], name: str) -> list[str]:
    """The values a customer can pick for `name`: its radio buttons' and options'."""
    choices: list[str] = []
    for control in controls:
        if control.get("name") != name:
            continue
        if control.name == "select":
            choices.extend(_option_value(o) for o in control.find_all("option"))
        elif _type(control) == "radio":
            choices.append(control.get("value", "on"))
    return choices


def _selected_options(select: Tag) -> list[Tag]:
    options = [o for o in select.find_all("option") if not _disabled(o)]
    chosen = [o for o in options if o.has_attr("selected")]
    if select.has_attr("multiple"):
        return chosen
    if chosen:
        return chosen[-1:]  # several selected in a single select: the last one wins
    return options[:1] if not select.has_attr("size") or select.get("size") == "1" else []


def _option_value(option: Tag) -> str:
    value = option.get("value")
    return value if value is not None else _WHITESPACE.sub(" ", option.get_text()).strip()


def _disabled(el: Tag) -> bool:
    if el.has_attr("disabled"):
        return True
    return any(
        p.name in ("fieldset", "optgroup") and p.has_attr("disabled")
        for p in el.parents
        if isinstance(p, Tag)
    )


def _is_submit_button(el: Tag) -> bool:
    if el.name == "button":
        return _type(el) == "submit"
    return el.name == "input" and _type(el) in ("submit", "image")


def _type(el: Tag) -> str:
    kind = str(el.get("type") or "").strip().lower()
    return "submit" if el.name == "button" and not kind else kind


def _attr(el: Tag | None, name: str) -> str | None:
    value = el.get(name) if el is not None else None
    return str(value) if value else None
