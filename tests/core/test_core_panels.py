"""Panels: higher apps show their part on a lower app's page through a registered provider."""
from django.template import Context, Template
from django.test import RequestFactory

from apps.core import panels


def test_a_registered_panel_renders_in_its_slot_in_order_and_a_provider_may_show_nothing(tmp_path, settings):
    (tmp_path / "p.html").write_text("<p>{{ label }} for {{ obj }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    slot = "test.slot"

    def second(*, user, obj):
        return panels.Panel(template="p.html", context={"label": "second"}, order=200)

    def first(*, user, obj):
        return panels.Panel(template="p.html", context={"label": "first"}, order=10)

    def hidden(*, user, obj):
        return None

    for provider in (second, first, hidden, first):  # registering twice keeps one
        panels.register(slot, provider)
    try:
        request = RequestFactory().get("/")
        request.user = None
        html = Template('{% load panels %}{% panels "test.slot" obj %}').render(
            Context({"request": request, "obj": "A-1"}))
        assert html == "<p>first for A-1</p><p>second for A-1</p>"
        assert Template('{% load panels %}{% panels "other.slot" obj %}').render(
            Context({"request": request, "obj": "A-1"})) == ""
    finally:
        panels._providers.pop(slot, None)  # noqa: SLF001 - the test cleans the registry it filled
