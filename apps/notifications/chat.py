"""Chat-app adapters: WeCom (企业微信) group robot, DingTalk (钉钉) robot with its signing secret, Feishu/Lark
(飞书) bot. Each builds the JSON a webhook expects from a title, a short text and an absolute link, signs it
where the app asks for it, and posts it with the standard library (no extra package).

Payload formats follow the vendors' documentation of custom robots:
- WeCom: ``{"msgtype": "markdown", "markdown": {"content": ...}}``; answer ``{"errcode": 0}``.
- DingTalk: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``; with a secret the URL carries
  ``timestamp`` (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}"))).
- Feishu/Lark: ``{"msg_type": "post", "content": {"post": {"zh_cn": {...}}}}``; with a secret the body carries
  ``timestamp`` (s) and ``sign`` = base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b"")).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.encoding import iri_to_uri

WECOM, DINGTALK, FEISHU = "wecom", "dingtalk", "feishu"


@dataclass(frozen=True)
class ChatMessage:
    title: str
    text: str
    link: str
    link_label: str


class ChatError(Exception):
    """The chat app refused or could not be reached; ``status`` and ``answer`` are kept for the record."""

    def __init__(self, message: str, *, status: int | None = None, answer: str = ""):
        super().__init__(message)
        self.status = status
        self.answer = answer


def _md_escape(text: str) -> str:
    return text.replace("[", "［").replace("]", "］")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def build_request(kind: str, url: str, secret: str, msg: ChatMessage, *, now: float | None = None) -> tuple[str, dict]:
    """The URL to post to and the JSON payload, signed when a secret is set."""
    now = time.time() if now is None else now
    lines = [line for line in (msg.text or "").splitlines() if line.strip()]
    if kind == WECOM:
        content = "\n".join([f"**{msg.title}**", *(f"> {_md_escape(x)}" for x in lines)]
                            + ([f"[{msg.link_label}]({msg.link})"] if msg.link else []))
        return url, {"msgtype": "markdown", "markdown": {"content": content}}
    if kind == DINGTALK:
        text = "\n\n".join([f"#### {msg.title}", *(_md_escape(x) for x in lines)]
                           + ([f"[{msg.link_label}]({msg.link})"] if msg.link else []))
        if secret:
            ts = int(now * 1000)
            sep = "&" if "?" in url else "?"
            url = f"{url}{sep}timestamp={ts}&sign={urllib.parse.quote_plus(dingtalk_sign(secret, ts))}"
        return url, {"msgtype": "markdown", "markdown": {"title": msg.title, "text": text}}
    if kind == FEISHU:
        content = [[{"tag": "text", "text": x}] for x in lines]
        if msg.link:
            content.append([{"tag": "a", "text": msg.link_label, "href": msg.link}])
        payload: dict = {"msg_type": "post", "content": {"post": {"zh_cn": {"title": msg.title, "content": content}}}}
        if secret:
            ts = int(now)
            payload = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **payload}
        return url, payload
    raise ValueError(f"unknown chat app {kind!r}")


def _accepted(kind: str, answer: dict) -> bool:
    if kind == FEISHU:
        return answer.get("code", answer.get("StatusCode", -1)) == 0
    return answer.get("errcode", -1) == 0


def post(kind: str, url: str, payload: dict) -> str:
    """POST the payload; return the answer's text. Raise ChatError on a network error, an HTTP error or an
    answer whose error code is not 0 (the apps answer 200 with an error code for a bad key or signature)."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    req = urllib.request.Request(iri_to_uri(url), data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    timeout = getattr(settings, "CHAT_WEBHOOK_TIMEOUT", 10)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - host checked against an allow-list
            status, body = resp.status, resp.read(4000).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        raise ChatError(f"HTTP {e.code}", status=e.code, answer=e.read(4000).decode("utf-8", "replace")) from e
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise ChatError(f"unreachable: {getattr(e, 'reason', e)}") from e
    try:
        answer = json.loads(body or "{}")
    except ValueError as e:
        raise ChatError("not a JSON answer", status=status, answer=body) from e
    if not isinstance(answer, dict) or not _accepted(kind, answer):
        raise ChatError("refused by the chat app", status=status, answer=body)
    return body


def host_allowed(url: str) -> bool:
    """Webhooks go only to the chat apps' hosts (settings.CHAT_WEBHOOK_ALLOWED_HOSTS): a webhook address is
    typed by people, and the server must not be made to post to internal addresses."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    allowed = {h.lower() for h in getattr(settings, "CHAT_WEBHOOK_ALLOWED_HOSTS", [])}
    return parts.scheme in ("https", "http") and (parts.hostname or "").lower() in allowed and (
        parts.scheme == "https" or getattr(settings, "CHAT_WEBHOOK_ALLOW_HTTP", False))
