"""The README's rule table is the registry's: scripts/rule_table.py makes it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "rule_table.py"


def _script():
    spec = importlib.util.spec_from_file_location("rule_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_lists_every_rule_as_the_registry_declares_it():
    script = _script()
    readme = script.README.read_text(encoding="utf-8")
    assert script.with_table(readme, script.rule_table()) == readme, (
        "README.md's rule table differs from the registry: run python scripts/rule_table.py --write"
    )
