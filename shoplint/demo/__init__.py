"""The bundled demo shop that ``shoplint demo`` crawls (see ``defects.yml``)."""

from .server import DemoShop

__all__ = ["DemoShop"]
