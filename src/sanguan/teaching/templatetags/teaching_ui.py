from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.1667 -> "16.7%"."""
    try:
        return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.1'))}%"
    except (ArithmeticError, ValueError, TypeError):
        return ""
