"""The document the app serves is valid OpenAPI 3.1 and describes every API route."""
from __future__ import annotations

import pytest
import schemathesis
from openapi_spec_validator import validate
from schemathesis.core.result import Ok

PREFIX = "/scm/api/v1"


@pytest.fixture
def served(client):
    resp = client.get(f"{PREFIX}/openapi.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return resp.json


def test_the_served_document_is_valid_openapi_3_1(served):
    # pydantic writes JSON Schema 2020-12 (anyOf with {"type": "null"}), valid only in 3.1
    assert served["openapi"] == "3.1.0"
    validate(served)


def test_schemathesis_reads_every_operation(served, app):
    schema = schemathesis.openapi.from_dict(served)
    results = list(schema.get_all_operations())
    broken = [r for r in results if not isinstance(r, Ok)]
    assert not broken, broken
    served_ops = {(r.ok().method.upper(), r.ok().path) for r in results}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith(".api.unknown") or ".api." not in rule.endpoint:
            continue
        path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
        routes |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes and routes == served_ops


def test_query_parameters_carry_no_null(served):
    # an optional filter is left out, not sent as null; nor can a query string hold one
    for path, ops in served["paths"].items():
        for op in ops.values():
            for param in op.get("parameters", []):
                assert "null" not in str(param["schema"]), (path, param)


def test_every_operation_documents_its_errors(served):
    for path, ops in served["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert "503" in codes, (method, path)
            if path.endswith("/openapi.json"):
                continue
            assert {"400", "401", "403", "404"} <= codes, (method, path)
            if "requestBody" in op:
                assert "413" in codes, (method, path)
