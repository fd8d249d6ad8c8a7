"""The OpenAPI document tells what the server does: every command's answer, every error as
problem+json, and the input limits of api/inputs.py written into the schemas."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from . import inputs


class CommandAnswer(BaseModel):
    """What every command (POST) answers: the aggregate's new version and the global log
    position of its last event; some commands add fields (below)."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(description="the aggregate's id (uuid)")
    version: int = Field(description="the aggregate's version after the command")
    position: int = Field(description="the global log position of the command's last event (min_position)")


class EvidenceAnswer(CommandAnswer):
    evidence_id: str


class DecisionAnswer(CommandAnswer):
    fine_id: str | None = Field(default=None, description="present when the decision imposes a fine")


class PrincipalAnswer(CommandAnswer):
    token: str = Field(description="shown once; only its hash is stored")
    role: str


class DrawAnswer(CommandAnswer):
    seed: str
    assignments: dict[str, list[str]] = Field(description="{target: [officer ids]}")


class BenchmarkAnswer(CommandAnswer):
    matter_code: str
    benchmark_version: str


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    rule: str | None = Field(default=None, description="the RULES.md id of a rule that refused the command")
    citation: str | None = None
    errors: list[FieldError] | None = Field(default=None, description="for invalid input: each field and why")


_ERRORS = {
    "401": "no token, or an unknown or revoked one",
    "403": "the role (or unit, or bank) may not do this",
    "404": "unknown resource",
    "409": "the command breaks a gate rule or the case's state or order; or a duplicate",
    "412": "If-Match names another version",
    "413": f"the body is larger than {inputs.MAX_BODY_BYTES} bytes",
    "422": "malformed or invalid input (errors names each field)",
    "503": "the store or the projections are not available yet (Retry-After)",
}
_COMMAND_ONLY = ("409", "412", "413")
_METHODS = ("get", "post", "put", "patch", "delete")
_COMMAND_METHODS = ("post", "put", "patch", "delete")


#: the strings api/inputs.py accepts (``check_text``), as JSON Schema patterns
_ONE_LINE = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
_MULTILINE = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def _limit(schema: dict[str, Any]) -> None:
    """Write the defaults that api/inputs.py enforces into one schema node (recursively)."""
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    if kind == "string":
        fmt = schema.get("format")
        if fmt in ("date", "date-time"):
            note = f"{inputs.DATE_RANGE}" + (", with an offset" if fmt == "date-time" else "")
            schema["description"] = (schema.get("description", "") + f" ({note})").strip()
        elif "enum" not in schema and "pattern" not in schema:
            schema.setdefault("maxLength", inputs.ONE_LINE)
            # no control characters (tab and line breaks only in free text), as check_text
            schema["pattern"] = _MULTILINE if schema["maxLength"] > inputs.ONE_LINE else _ONE_LINE
    elif kind == "array":
        schema.setdefault("maxItems", inputs.MAX_ITEMS)
    elif kind == "integer":
        schema.setdefault("minimum", -inputs.MAX_SAFE_INTEGER)
        schema.setdefault("maximum", inputs.MAX_SAFE_INTEGER)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _limit(schema[key])
    for key in ("properties",):
        for sub in schema.get(key, {}).values():
            _limit(sub)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            _limit(sub)


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document, with answers, problems and limits (cached on the app)."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=(app.description or "")
        + f"\n\nLimits: a request body of at most {inputs.MAX_BODY_BYTES} bytes (413 beyond); strings"
        f" without a stated maximum at most {inputs.ONE_LINE} characters, lists at most {inputs.MAX_ITEMS}"
        " entries; no control characters in any string (tab and line breaks only in free-text fields,"
        f" those of more than {inputs.ONE_LINE} characters); business dates and times {inputs.DATE_RANGE}.",
        routes=app.routes,
    )
    schemas: dict[str, Any] = doc.setdefault("components", {}).setdefault("schemas", {})
    for model in (CommandAnswer, Problem):
        for name, sub in model.model_json_schema(ref_template="#/components/schemas/{model}").get("$defs", {}).items():
            schemas.setdefault(name, sub)
        own = model.model_json_schema(ref_template="#/components/schemas/{model}")
        own.pop("$defs", None)
        schemas[model.__name__] = own
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in doc.get("paths", {}).values():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            responses: dict[str, Any] = op.setdefault("responses", {})
            for code, ok in list(responses.items()):
                content = ok.get("content", {})
                json = content.get("application/json")
                if code.startswith("2") and method in _COMMAND_METHODS and json is not None and not json.get("schema"):
                    json["schema"] = {"$ref": "#/components/schemas/CommandAnswer"}
            for code, why in _ERRORS.items():
                if code in _COMMAND_ONLY and method not in _COMMAND_METHODS:
                    continue
                responses[code] = {"description": why, "content": problem}
            for p in op.get("parameters", []):
                _limit(p.get("schema", {}))
                if p.get("name") == "format" and "csv" in str(p.get("schema", {})):
                    # format=csv answers the same list as CSV
                    ok = responses.get("200", {}).setdefault("content", {})
                    ok["text/csv"] = {"schema": {"type": "string"}}
    answers = {m.__name__ for m in (*CommandAnswer.__subclasses__(), CommandAnswer, Problem, FieldError)}
    for name, schema in schemas.items():
        if name not in answers:  # the limits are the inputs'; answers are not bound by them
            _limit(schema)
    app.openapi_schema = doc
    return doc


def install(app: FastAPI) -> None:
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
