"""API plumbing shared by every app: pagination and the one error shape.

Every error answers ``{"error": {"code": ..., "message": ..., "fields": {...}}}``.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import ApplicationError


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


def _flatten(detail):
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        flat = [_flatten(v) for v in detail]
        if all(isinstance(v, str) for v in flat):
            return " ".join(flat)
        return flat
    return str(detail)


def error_response(*, status: int, code: str, message: str, fields: dict | None = None, extra=None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    if extra:
        body["error"].update(extra)
    return Response(body, status=status)


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        fields = {exc.field: exc.message} if exc.field else {}
        return error_response(status=exc.status_code, code=exc.code, message=exc.message, fields=fields,
                              extra=exc.extra)
    if isinstance(exc, DjangoValidationError):
        fields = {k: " ".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
        return error_response(status=400, code="invalid", message=" ".join(exc.messages), fields=fields)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        detail = _flatten(exc.detail)
        if isinstance(detail, dict):
            fields = detail
            message = _("Please correct the errors below: %(fields)s") % {
                "fields": "; ".join(f"{k}: {v}" for k, v in detail.items())}
        else:
            fields, message = {}, detail if isinstance(detail, str) else " ".join(map(str, detail))
        return error_response(status=400, code="invalid", message=message, fields=fields)
    code = getattr(exc, "default_code", "error")
    message = _flatten(getattr(exc, "detail", str(exc)))
    resp = error_response(status=response.status_code, code=code, message=str(message))
    for header in ("WWW-Authenticate", "Retry-After"):
        if header in response:
            resp[header] = response[header]
    return resp


class VersionField(serializers.IntegerField):
    """The version the client edited (optimistic concurrency)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)
