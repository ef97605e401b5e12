from django import template

from apps.core.periods import period_label

from ..display import num, rule_summary, target_text
from ..lint import warning_text

register = template.Library()

register.filter("num", num)
register.filter("rule_summary", rule_summary)
register.filter("target_text", target_text)
register.filter("period_label", period_label)
register.filter("warning_text", warning_text)


@register.filter
def lines_in(lines, section):
    return [ln for ln in lines if ln.section == section]


@register.filter
def times(a, b):
    """section weight x line weight / 100: the line's share of the whole contract."""
    if a is None or b is None:
        return ""
    return num(a * b / 100)
