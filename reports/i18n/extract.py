"""A Babel extractor for the rule catalogue (checks/catalogue/*.py): every `Rule(...)`'s
name, family, summary and explanation and every `Option(...)`'s doc become messages to
translate, with no marker in the catalogue (it must not know of the reports) and no
import of it: the files are read as syntax trees. A new family's rules are picked up by
running `pybabel extract` again (babel.cfg names this function)."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

CONTEXTS = {"name": "rule name", "family": "family"}  # kebab-case words, kept apart
TEXTS = ("summary", "explanation")


def extract_rules(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, str | tuple[str, str], list[str]]]:
    """Babel's extractor interface: (line, gettext function, message(s), comments)."""
    tree = ast.parse(fileobj.read())
    names: dict[str, str] = {}  # module-level texts a rule's text is built from
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            text = _text(statement.value, names)
            if isinstance(target, ast.Name) and text is not None:
                names[target.id] = text
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        for keyword in node.keywords:
            text = _text(keyword.value, names)
            if text is None:
                continue
            if node.func.id == "Rule" and keyword.arg in CONTEXTS:
                comment = [f"the rule's {keyword.arg}: one word, kebab-case"]
                yield keyword.value.lineno, "pgettext", (CONTEXTS[keyword.arg], text), comment
            elif (node.func.id, keyword.arg) in {("Rule", t) for t in TEXTS} | {("Option", "doc")}:
                yield keyword.value.lineno, "gettext", text, []


def _text(node: ast.expr, names: Mapping[str, str]) -> str | None:
    """A literal string (adjacent literals are one), a module-level text by its name, or
    texts joined with +; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return node.value
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left, names), _text(node.right, names)
        return left + right if left is not None and right is not None else None
    return None
