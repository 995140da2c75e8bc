"""Routes declared with their schemas: ``@routes.route(...)`` on a module's
``ApiRoutes`` validates the request body and query with pydantic and records everything
the OpenAPI document needs, so the document and the validation cannot drift apart.

A module's routes are only collected here; ``init_app`` adds them to the app's API
blueprint when the module is enabled (``ApiRoutes.register``)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, ValidationError

from scm_plugin.api_errors import api_error
from scm_plugin.auth import require
from scm_plugin.limits import read_json
from scm_plugin.validation import bounded_unknown, query_formats, validation_fields


@dataclass
class RouteSpec:
    rule: str
    method: str
    summary: str
    roles: tuple[str, ...]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    multipart: dict[str, str] = field(default_factory=dict)
    download: bool = False
    headers: dict[str, dict] = field(default_factory=dict)
    also: tuple[int, ...] = ()
    json_alternative: type[BaseModel] | None = None


class ApiRoutes:
    """One module's API routes, declared with ``@routes.route(...)``."""

    def __init__(self) -> None:
        self._views: list[tuple[RouteSpec, Any]] = []

    def route(self, rule: str, method: str = "GET", **options):
        def decorate(view):
            guarded = api_view(view, RouteSpec(rule, method, **_spec_options(options)))
            self._views.append((guarded.scm_api_spec, guarded))
            return guarded
        return decorate

    def register(self, bp: Blueprint) -> None:
        for spec, view in self._views:
            bp.add_url_rule(spec.rule, endpoint=view.__name__, view_func=view, methods=[spec.method])


def _spec_options(options: dict) -> dict:
    """``multipart``: form field → format ("binary" for a file); a name ending in "?" is
    optional. ``download``: the answer is a file (any content type) rather than JSON.
    ``headers``: optional request headers → JSON schema. ``also``: further success
    statuses with the same answer (e.g. 200 for an idempotent replay). ``json_alternative``:
    a multipart route that also takes this JSON body (documented; the view parses it)."""
    options = dict(options)
    options["roles"] = tuple(options.get("roles", ("rep", "admin", "customer")))
    options["multipart"] = options.get("multipart") or {}
    options["headers"] = options.get("headers") or {}
    options["also"] = tuple(options.get("also", ()))
    return options


def api_view(view, spec: RouteSpec):
    """The view wrapped with the checks its spec declares."""
    query, body, roles = spec.query, spec.body, spec.roles
    formats = query_formats(query) if query is not None else {}
    form_fields = {k.rstrip("?") for k in spec.multipart}

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if query is not None:
            given = request.args.to_dict()
            wrong = {name: code for name, (pattern, code) in formats.items()
                     if name in given and not pattern.fullmatch(given[name])}
            try:
                kwargs["query"] = query.model_validate(given)
            except ValidationError as exc:
                wrong = {**validation_fields(exc), **wrong}
            if wrong:
                return api_error(400, "invalid_input", wrong)
        if spec.multipart and request.mimetype == "multipart/form-data":
            # a part without a readable name comes as the key None
            unknown = [k or "?" for k in list(request.form) + list(request.files) if k not in form_fields]
            if unknown:
                return api_error(400, "invalid_input", bounded_unknown({}, unknown))
        if body is not None:
            data = read_json()
            if not isinstance(data, dict):
                return api_error(400, "invalid_input", {"body": "json_object_required"})
            try:
                kwargs["body"] = body.model_validate(data)
            except ValidationError as exc:
                return api_error(400, "invalid_input", validation_fields(exc))
        return view(*args, **kwargs)

    guarded = require(*roles, api=True)(wrapper) if roles != ("public",) else wrapper
    if roles == ("public",):
        guarded.scm_roles = ("public",)
    guarded.scm_api_spec = spec
    return guarded


def openapi_document(prefix: str, routes: list[RouteSpec], title: str = "scm_plugin API") -> dict[str, Any]:
    schemas: dict[str, Any] = {}

    def ref(model: type[BaseModel]) -> dict[str, str]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            schemas[name] = sub
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    error_ref = ref(ErrorOut)
    paths: dict[str, Any] = {}
    for spec in routes:
        path = spec.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
        op: dict[str, Any] = {"summary": spec.summary, "operationId": f"{spec.method.lower()}_{path}",
                              "responses": {}}
        params = []
        for name in _path_params(spec.rule):
            params.append({"name": name, "in": "path", "required": True,
                           "schema": {"type": "integer" if f"<int:{name}>" in spec.rule else "string"}})
        if spec.query is not None:
            qschema = spec.query.model_json_schema()
            required = set(qschema.get("required", []))
            for name, prop in qschema.get("properties", {}).items():
                params.append({"name": name, "in": "query", "required": name in required,
                               "schema": _query_schema(prop)})
        for name, schema in spec.headers.items():
            params.append({"name": name, "in": "header", "required": False,
                           "description": schema.get("description", ""),
                           "schema": {k: v for k, v in schema.items() if k != "description"}})
        if params:
            op["parameters"] = params
        if spec.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(spec.body)}}}
        if spec.multipart:
            # a name ending in "?" is an optional field
            form = {"type": "object", "additionalProperties": False, "properties": {
                k.rstrip("?"): {"type": "string", "format": v} if v else {"type": "string"}
                for k, v in spec.multipart.items()}}
            required = [k for k in spec.multipart if not k.endswith("?")]
            if required:
                form["required"] = required
            op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": form}}}
            if spec.json_alternative is not None:
                op["requestBody"]["content"]["application/json"] = {"schema": ref(spec.json_alternative)}
        ok: dict[str, Any] = {"description": "OK"}
        if spec.response is not None:
            ok["content"] = {"application/json": {"schema": ref(spec.response)}}
        elif spec.download:
            ok["content"] = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
        elif spec.roles == ("public",):
            ok["content"] = {"application/json": {"schema": {"type": "object"}}}
        for code in (spec.status, *spec.also):
            op["responses"][str(code)] = dict(ok)
        errors = (503,) if spec.roles == ("public",) else (400, 401, 403, 404, 409, 503)
        if spec.body is not None or spec.multipart:
            errors += (413,)
        for code in sorted(errors):
            op["responses"][str(code)] = {"description": _ERRORS[code],
                                          "content": {"application/json": {"schema": error_ref}}}
        if spec.roles != ("public",):
            op["security"] = [{"bearer": []}, {"session": []}]
        paths.setdefault(f"{prefix}{path}", {})[spec.method.lower()] = op
    return {
        # 3.1: its schemas are JSON Schema 2020-12, which is what pydantic writes
        # (``anyOf`` with ``{"type": "null"}``; 3.0 knows only ``nullable``)
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


_ERRORS = {
    400: "Invalid input: per-field messages in `fields`", 401: "No or invalid credentials",
    403: "This role may not use this function", 404: "Not found or not permitted (indistinguishable)",
    409: "State conflict", 413: "Request too large", 503: "Database unavailable or busy; try again",
}


def _query_schema(prop: dict) -> dict:
    """A query parameter is absent or a value: the ``null`` pydantic adds for an optional
    field cannot be sent in a query string (``?status=`` is the empty string)."""
    prop = {k: v for k, v in prop.items() if k != "title"}
    variants = prop.get("anyOf")
    if variants and {"type": "null"} in variants:
        rest = [v for v in variants if v != {"type": "null"}]
        base = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
        prop = {**base, **rest[0]} if len(rest) == 1 else {**base, "anyOf": rest}
    return prop


def _path_params(rule: str) -> list[str]:
    return [m.split(":")[-1] for m in re.findall(r"<([^>]+)>", rule)]


class ErrorOut(BaseModel):
    error: str
    message: str
    fields: dict[str, str] | None = None
