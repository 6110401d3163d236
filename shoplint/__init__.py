"""shoplint: keeps an online shop's website healthy for the teams who run it."""

__version__ = "0.1.0"
__all__ = ["__version__"]
