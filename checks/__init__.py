"""Check modules, one per family: links, images, pages, freshness, language, checkout.

The rules are declared in checks/catalogue/ and collected by checks/registry.py; the
families' check functions are run by checks/engine.py. Importing this package imports
none of them."""

from pathlib import Path

DATA = Path(__file__).parent / "data"  # the checks' word lists and tables
