"""Links in messages that leave the app (e-mail, chat apps, calendar feeds) are absolute: one helper.

In the app a notification keeps its link as a path ("/contracts/2/"), so the inbox works on any host name;
everything that goes out builds the address from ``settings.SITE_URL`` here.
"""
from __future__ import annotations

import re

from django.conf import settings

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# href="/x", src='/x' and Markdown ](/x) pointing at a path of this site
_ATTR_LINK = re.compile(r"""(?P<lead>\b(?:href|src)\s*=\s*["']|\]\()(?P<path>/(?!/)[^"')\s]*)""")
# a bare path in running text: "/contracts/2/" (at least one segment and the trailing slash Django's URLs carry)
_BARE_PATH = re.compile(r"""(?<![\w/:.\]\-])(/[A-Za-z0-9_\-]+(?:/[A-Za-z0-9_\-.]+)*/(?:[?#][^\s"'<>]*)?)""")


CONFIDENTIAL_PREFIXES = ("/interviews/", "/appeals/", "/pay/", "/results/", "/talent/")  # results: talent reviews


def is_confidential_link(url: str) -> bool:
    """A notification pointing into a confidential area carries no content outside the app."""
    prefixes = tuple(getattr(settings, "NOTIFICATION_CONFIDENTIAL_PREFIXES", CONFIDENTIAL_PREFIXES))
    path = url.split("://", 1)[-1]
    path = path[path.find("/"):] if "://" in url else url
    return bool(path) and path.startswith(prefixes)


def site_url() -> str:
    return (getattr(settings, "SITE_URL", "") or "").rstrip("/")


def absolute_url(url: str) -> str:
    """``/plans/3/`` -> ``https://perf.example.com/plans/3/``; an absolute URL (or empty) stays as it is."""
    if not url or _SCHEME.match(url) or url.startswith("//"):
        return url
    return f"{site_url()}/{url.lstrip('/')}"


def absolutize_links(text: str) -> str:
    """Rewrite ``href``/``src`` attributes and Markdown links that point at a path of this site."""
    if not text:
        return text
    return _ATTR_LINK.sub(lambda m: m.group("lead") + absolute_url(m.group("path")), text)


def relative_links(text: str) -> list[str]:
    """Every relative link in ``text``: attribute/Markdown links and bare paths. Used by the tests as the
    gate that no message leaves the app with a link a mail client or chat app cannot open."""
    if not text:
        return []
    found = [m.group("path") for m in _ATTR_LINK.finditer(text)]
    stripped = _ATTR_LINK.sub("", text)
    stripped = re.sub(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+", "", stripped)  # absolute URLs hold paths too
    found += _BARE_PATH.findall(stripped)
    return found
