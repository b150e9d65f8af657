"""Template helpers for activation pages."""

from __future__ import annotations

from django import template

from ..conditions import condition_summary

register = template.Library()


@register.filter
def rule_summary(rule) -> str:
    return condition_summary(rule)
