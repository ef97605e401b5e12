"""The API's JSON parser with limits: a body larger than ``API_MAX_JSON_BYTES`` answers 413 and one
nested deeper than ``API_MAX_JSON_DEPTH`` answers 400, both in the error shape, instead of a server
error (a body nested 100,000 deep made Python's decoder raise ``RecursionError``)."""
from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"


def _depth(value) -> int:
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            todo.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = int(getattr(settings, "API_MAX_JSON_BYTES", 2 * 1024 * 1024))
        max_depth = int(getattr(settings, "API_MAX_JSON_DEPTH", 32))
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(_("The request body is larger than %(kb)s KB.") % {"kb": limit // 1024})
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(_("The JSON body is nested too deeply (at most %(n)s levels).")
                                        % {"n": max_depth}) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from None
        if _depth(data) > max_depth:
            raise exceptions.ParseError(_("The JSON body is nested too deeply (at most %(n)s levels).")
                                        % {"n": max_depth})
        return data


def _refuse_constant(name: str):
    raise ValueError(_("%(name)s is not a number JSON allows") % {"name": name})
