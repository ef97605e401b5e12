"""``{% panels "slot" obj %}``: render the panels the apps above registered for this page's slot."""
from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from apps.core.panels import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot, obj):
    request = context.get("request")
    user = getattr(request, "user", None)
    html = [render_to_string(p.template, {**p.context, "obj": obj}, request=request)
            for p in panels_for(slot, user=user, obj=obj)]
    return mark_safe("".join(html))  # noqa: S308 - each part is a rendered (auto-escaped) template
