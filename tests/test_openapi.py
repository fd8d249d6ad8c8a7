"""The OpenAPI document tells the truth: command answers, problem+json errors, input limits."""

from __future__ import annotations

from fastapi.testclient import TestClient

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def test_every_operation_declares_its_answer_its_errors_and_the_limits(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert {"id", "version", "position"} <= set(schemas["CommandAnswer"]["properties"])
    assert "HTTPValidationError" not in schemas
    for path, item in doc["paths"].items():
        for method, op in item.items():
            responses = op["responses"]
            for code in ("401", "403", "404", "422", "503"):
                assert responses[code]["content"] == PROBLEM, (method, path, code)
            if method in ("post", "delete"):
                for code in ("409", "412", "413"):
                    assert responses[code]["content"] == PROBLEM, (method, path, code)
                ok = next(v for k, v in responses.items() if k.startswith("2"))
                ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
                assert {"id", "version", "position"} <= set(schemas[ref]["properties"]), (method, path)
    extras = {
        ("/v1/cases/{case_id}/evidence", "EvidenceAnswer", "evidence_id"),
        ("/v1/cases/{case_id}/decision", "DecisionAnswer", "fine_id"),
        ("/v1/principals", "PrincipalAnswer", "token"),
    }
    for path, name, field in extras:
        ok = doc["paths"][path]["post"]["responses"]
        ref = next(v for k, v in ok.items() if k.startswith("2"))["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith(name) and field in schemas[name]["properties"]
    # The limits the server enforces are in the schemas.
    case = schemas["CaseIn"]["properties"]
    assert case["handlers"]["maxItems"] == 1000 and case["unit_id"]["maxLength"] == 200
    assert "1949-01-01" in case["filed_at"]["description"]
    assert schemas["InspectionIn"]["properties"]["targets_register"]["maxItems"] == 50_000
    assert schemas["ExamIn"]["properties"]["score"]["anyOf"][0]["maximum"] == 100
    assert "2097152 bytes" in doc["info"]["description"]


def test_the_declared_string_patterns_refuse_what_the_server_refuses(client: TestClient) -> None:
    """Every free string declares the characters the server accepts (no control characters;
    tab and line breaks only in free text): the pattern and the server's check agree on every
    character from U+0000 to U+009F."""
    import re

    from api import inputs
    from domain.errors import InvalidInputError

    doc = client.get("/openapi.json").json()
    case = doc["components"]["schemas"]["CaseIn"]["properties"]
    one_line, free_text = case["case_no"]["pattern"], case["summary"]["pattern"]
    assert case["summary"]["maxLength"] > inputs.ONE_LINE >= case["case_no"]["maxLength"]
    unit = doc["paths"]["/v1/units/{unit_id}"]["get"]["parameters"][0]
    assert unit["schema"]["pattern"] == one_line
    for pattern, multiline in ((one_line, False), (free_text, True)):
        for code in range(0xA0):
            value = f"a{chr(code)}b"
            try:
                inputs.check_text("f", value, multiline)
                accepted = True
            except InvalidInputError:
                accepted = False
            assert bool(re.fullmatch(pattern.strip("^$"), value)) == accepted, (hex(code), multiline)
