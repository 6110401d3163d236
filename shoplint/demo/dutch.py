"""Dutch notation of prices and dates, shared by the templates and the checkout steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

MONTHS_NL = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
DAYS_NL = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]


def format_euro(value: Any) -> str:
    """1299 -> '€ 1.299,00' (Dutch notation)."""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def format_date_nl(value: dt.date) -> str:
    """date(2024, 12, 31) -> '31 december 2024'."""
    return f"{value.day} {MONTHS_NL[value.month - 1]} {value.year}"
