"""Filter sets of the list APIs, built on the selectors' own filter pieces.

A list's selector keeps one function per filter (a "piece": ``piece(queryset, value, user=...)``);
the HTML page applies them through the selector and the API through a :class:`PieceFilterSet` whose
declared filters are applied by the piece of the same name. So the filters the API documents are the
ones applied, and both ways of listing narrow alike. Bad values (an id that is not a number, a NUL in a
search) are refused by the filter's form field: 400 with the error shape, never 500."""
from __future__ import annotations

from collections.abc import Callable

from django import forms
from django_filters import rest_framework as django_filters

BIGINT_MAX = 2**63 - 1


class IdField(forms.IntegerField):
    """A database id: a whole number between 1 and the largest bigint."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    field_class = IdField


class PieceFilterSet(django_filters.FilterSet):
    """Every declared filter with ``method="apply"`` is applied by ``pieces[name]``."""

    pieces: dict[str, Callable] = {}

    def apply(self, queryset, name, value):
        return self.pieces[name](queryset, value, user=getattr(self.request, "user", None))


def clean_query(query_params, fields: dict) -> dict:
    """The query parameters named in ``fields`` (DRF serializer fields), validated: a bad value (an id
    that is not a number, a NUL character, a choice that does not exist) answers 400 with the error
    shape. Blank parameters are left out; parameters not named are ignored."""
    from rest_framework import serializers

    data = {k: query_params.get(k) for k in fields if query_params.get(k) not in (None, "")}
    ser = type("QueryParameters", (serializers.Serializer,), {k: v for k, v in fields.items()})(data=data)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


def id_field(**kwargs):
    """A query parameter holding a database id (DRF): a whole number from 1 to the largest bigint."""
    from rest_framework import serializers

    return serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, required=False, **kwargs)


def text_field(**kwargs):
    """A free-text query parameter (DRF): NUL characters are refused."""
    from rest_framework import serializers

    return serializers.CharField(required=False, max_length=200, **kwargs)
