"""The contract PDF (WeasyPrint) in the user's language, Chinese included."""
import shutil
import subprocess

import pytest
from contract_helpers import draft, signed
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return "".join(text.split())  # table cells wrap: compare without whitespace


def test_signed_contract_pdf_in_chinese(org, client_for, tmp_path):
    c = signed(org, draft(org))
    resp = client_for(org.user("staff")).get(reverse("contracts:pdf", args=[c.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    text = _text(resp.content, tmp_path)
    for expected in ("绩效合约", "孙娜", "周主管", "月度销售额目标完成率", "财务部", "1200万元", "已于",
                     "未关联"):
        assert expected in text, expected
    assert c.content_hash in text  # the signed content's SHA-256


def test_pdf_in_english_for_an_english_user(org, client_for, tmp_path):
    from apps.accounts.services import user_language_set

    c = draft(org)
    user = org.user("lead")
    user_language_set(user=user, language="en")
    resp = client_for(user).get(reverse("contracts:pdf", args=[c.pk]))
    text = _text(resp.content, tmp_path)
    assert "KPIcontract" in text and "Notsignedyet" in text
    assert "Monthlysalestargetcompletionrate" in text


def test_pdf_api_is_behind_the_same_access_rules(org, api_for):
    c = draft(org)
    assert api_for(org.user("manager")).get(reverse("api-contract-pdf", args=[c.pk])).content.startswith(b"%PDF")
    assert api_for(org.user("accountant")).get(reverse("api-contract-pdf", args=[c.pk])).status_code == 404
