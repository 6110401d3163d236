"""The README's table of rules, made from the registry (checks/registry.py): prints it, or
with --write puts it into README.md between the <!-- rules:start --> and
<!-- rules:end --> comments. tests/test_readme_rules.py fails when the two differ.

    python scripts/rule_table.py           # print the table
    python scripts/rule_table.py --write   # update README.md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START = "<!-- rules:start -->"
END = "<!-- rules:end -->"

sys.path.insert(0, str(ROOT))  # this checkout's registry, whatever is installed

from checks.registry import REGISTRY  # noqa: E402


def rule_table() -> str:
    """The Markdown table: code | family | severity | team | what it finds."""
    lines = [
        "| code | family | severity | team | what it finds |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in REGISTRY.values():  # in report order
        cells = (rule.code, rule.family, rule.severity.value, rule.team, rule.summary)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def with_table(readme: str, table: str) -> str:
    """`readme` with `table` between the markers, which stay."""
    start = readme.find(START)
    end = readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README.md: no {START} ... {END} around the rule table")
    return readme[: start + len(START)] + "\n\n" + table + "\n" + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the table in README.md")
    args = parser.parse_args(argv)
    table = rule_table()
    if not args.write:
        sys.stdout.write(table)
        return 0
    readme = README.read_text(encoding="utf-8")
    updated = with_table(readme, table)
    if updated != readme:
        README.write_text(updated, encoding="utf-8")
        print(f"{README.name}: rule table updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
