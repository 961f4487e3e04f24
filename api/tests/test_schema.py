"""The OpenAPI schema is valid, complete and warning-free; Swagger UI is served
from our own static files."""

import builtins
import io

import pytest
from django.core.management import call_command
from django.urls import reverse


def test_schema_validates_without_warnings(db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    assert '"openapi"' in out.getvalue()


def test_every_operation_is_tagged_and_summarised(client, owner):
    client.force_login(owner)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) > 20
    assert all(op.get("tags") and op.get("summary") for op in operations)
    tags = {tag for op in operations for tag in op["tags"]}
    assert {"clients", "messages", "mailings", "attempts", "reports", "users"} <= tags
    # HTML-only fragment endpoints are not part of the documented JSON face
    assert not any(path.endswith("/form/") or "confirm-delete" in path for path in schema["paths"])


def test_swagger_ui_uses_local_assets(client, owner):
    client.force_login(owner)
    html = client.get(reverse("api:docs")).content.decode()
    assert "drf_spectacular_sidecar" in html
    assert "cdn" not in html.lower()


def test_options_on_the_own_account_describes_it(client, owner):
    client.force_login(owner)
    response = client.options("/api/auth/users/me/")
    assert response.status_code == 200
    assert response.json()["name"]


@pytest.fixture
def schema(client):
    return client.get(reverse("api:schema"), {"format": "json"}).json()


def operations(schema):
    return [(method.upper(), path, op) for path, item in schema["paths"].items() for method, op in item.items()]


PUBLIC = {
    ("POST", "/api/auth/token/login/"),
    ("POST", "/api/auth/users/"),
    ("POST", "/api/auth/users/activation/"),
    ("POST", "/api/auth/users/resend_activation/"),
    ("POST", "/api/auth/users/reset_password/"),
    ("POST", "/api/auth/users/reset_password_confirm/"),
}


def test_public_endpoints_declare_no_security_and_the_rest_a_token(schema):
    public = {(method, path) for method, path, op in operations(schema) if op.get("security") == []}
    assert public == PUBLIC
    for method, path, op in operations(schema):
        if (method, path) not in PUBLIC:
            assert {"tokenAuth": []} in op["security"] and {} not in op["security"], (method, path)


def test_every_error_answer_is_declared_with_its_model(schema):
    errors = {"400": "FieldErrors", "401": "ErrorDetail", "403": "ErrorDetail", "404": "ErrorDetail"}
    errors |= {"409": "ErrorDetail", "429": "ErrorDetail"}
    for method, path, op in operations(schema):
        expected = {"429"} | (set() if (method, path) in PUBLIC else {"401", "403"})
        if "{id}" in path:
            expected |= {"404"}
        if method != "GET":
            expected |= {"400"}
        if method == "DELETE" and path in {"/api/clients/{id}/", "/api/messages/{id}/"}:
            expected |= {"409"}
        assert expected <= set(op["responses"]), (method, path)
        for code, answer in op["responses"].items():
            if code in errors and "application/json" in answer["content"] and path != "/api/clients/import/":
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                assert ref == f"#/components/schemas/{errors[code]}", (method, path, code)
    assert schema["components"]["schemas"]["FieldErrors"]["additionalProperties"]["items"] == {"type": "string"}


def test_token_login_and_password_change_are_documented_as_they_answer(schema):
    login = schema["paths"]["/api/auth/token/login/"]["post"]["responses"]["200"]
    assert login["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/AuthToken"
    assert schema["components"]["schemas"]["AuthToken"]["properties"] == {"auth_token": {"type": "string"}}
    set_password = schema["paths"]["/api/auth/users/set_password/"]["post"]["responses"]
    assert "204" in set_password and "200" not in set_password and "content" not in set_password["204"]


def test_path_ids_are_integers(schema):
    ids = [
        param["schema"]
        for _, _, op in operations(schema)
        for param in op.get("parameters", [])
        if param["in"] == "path"
    ]
    assert len(ids) > 10
    assert all(param == {"type": "integer", "minimum": 1} for param in ids)


def test_component_names_clash_with_nothing_a_generated_client_defines(schema):
    # openapi-python-client's own names, and Python's builtins a model module would shadow
    taken = {"Client", "AuthenticatedClient", "Response", "File", "Unset", "Errors", "UnexpectedStatus"}
    taken |= set(dir(builtins))
    names = set(schema["components"]["schemas"])
    assert not names & taken
    assert {"ClientRecord", "MailingSummary", "Mailing", "ImportRowErrors"} <= names


def test_an_unknown_api_url_is_a_json_404(api, owner):
    response = api.as_(owner).get("/api/clients/not-a-number/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
