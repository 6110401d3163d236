"""Check modules, one per family: links, images, pages, freshness, language, checkout.

Importing this package registers every family's rules (see checks/engine.py)."""

from checks.engine import FAMILIES
from checks.rules import REGISTRY

__all__ = ["FAMILIES", "REGISTRY"]
