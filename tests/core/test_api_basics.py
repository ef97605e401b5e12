"""The API's shared behaviour: one error shape, auth, schema and docs served locally."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_unauthenticated_api_answers_in_the_error_shape(client):
    resp = client.get(reverse("api-org-employees"))
    assert resp.status_code in (401, 403)
    assert set(resp.json()["error"]) >= {"code", "message", "fields"}


def test_validation_errors_name_the_field(org, api_for):
    resp = api_for(org.user("hr")).patch(reverse("api-org-employee", args=[org.staff.pk]),
                                         {"hire_date": "31/02/2024", "email": "not-an-email"}, format="json")
    assert resp.status_code == 400
    fields = resp.json()["error"]["fields"]
    assert "hire_date" in fields and "email" in fields


def test_token_auth(org, client):
    resp = client.post(reverse("api-token"), {"username": "staff", "password": "pw-Test-1234"})
    token = resp.json()["token"]
    ok = client.get(reverse("api-org-employees"), HTTP_AUTHORIZATION=f"Token {token}")
    assert ok.status_code == 200


def test_schema_and_swagger_are_served_without_internet(org, client_for):
    c = client_for(org.user("staff"))
    schema = c.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/org/employees/" in schema.content
    docs = c.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs.lower()
    assert "cdn." not in docs and "unpkg" not in docs and "jsdelivr" not in docs


def test_department_tree_api(org, api_for):
    tree = api_for(org.user("staff")).get(reverse("api-org-department-tree")).json()
    assert [n["code"] for n in tree] == ["CO"]
    sales = next(n for n in tree[0]["children"] if n["code"] == "SAL")
    assert sales["total"] == 4  # manager + lead + staff + peer, the section included
    assert [c["code"] for c in sales["children"]] == ["SAL-E"]


def test_unknown_filter_value_is_a_400_not_a_500(org, api_for):
    resp = api_for(org.user("hr")).get(reverse("api-org-employees"), {"department": "abc"})
    assert resp.status_code == 400
    assert "department" in resp.json()["error"]["fields"]


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_a_body_nested_too_deeply_is_a_400_in_the_error_shape_not_a_server_error(org, client, client_for, who):
    c = client if who == "anonymous" else client_for(org.user("staff"))
    url = reverse("api-token") if who == "anonymous" else reverse("api-org-employee", args=[org.staff.pk])
    for depth in (100_000, 40):
        body = "[" * depth + "]" * depth
        resp = c.generic("POST" if who == "anonymous" else "PATCH", url, body, content_type="application/json")
        assert resp.status_code == 400, depth
        message = resp.json()["error"]["message"]
        assert "nested too deeply" in message or "嵌套" in message


def test_a_body_too_large_or_with_nan_is_refused_clearly(org, client_for, settings):
    settings.API_MAX_JSON_BYTES = 1024
    c = client_for(org.user("staff"))
    url = reverse("api-org-employee", args=[org.staff.pk])
    big = c.generic("PATCH", url, '{"phone": "' + "1" * 2000 + '"}', content_type="application/json")
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
    nan = c.generic("PATCH", url, '{"phone": NaN}', content_type="application/json")
    assert nan.status_code == 400 and "NaN" in nan.json()["error"]["message"]
