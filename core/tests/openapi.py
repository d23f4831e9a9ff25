"""Reading the API's own OpenAPI document, for tests that go over every operation: which
paths list objects, which take a body and what its fields are. Driven by the document, so
that a new endpoint is covered without being named here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client

SCHEMA_URL = "/api/schema/"
METHODS = ("get", "post", "put", "patch", "delete")


def served_schema(client: Client) -> dict[str, Any]:
    """The OpenAPI document the API serves (as JSON)."""
    response = client.get(SCHEMA_URL, {"format": "json"})
    assert response.status_code == 200, response.content[:500]
    return response.json()


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """`node`, or the component its `$ref` names."""
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        node = document["components"]["schemas"][name]
    return node


@dataclass(frozen=True)
class Operation:
    """One operation of the document: method (lower case), path, its definition."""

    method: str
    path: str
    definition: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def names_an_object(self) -> bool:
        return "{id}" in self.path

    def query_parameters(self) -> list[dict[str, Any]]:
        return [p for p in self.definition.get("parameters", []) if p.get("in") == "query"]


def operations(document: dict[str, Any]) -> list[Operation]:
    """Every operation, in the document's order."""
    return [
        Operation(method, path, definition)
        for path, item in document["paths"].items()
        for method, definition in item.items()
        if method in METHODS
    ]


def list_paths(document: dict[str, Any]) -> list[str]:
    """The paths whose GET answers a page of objects (`count`, `results`)."""
    found = []
    for operation in operations(document):
        if operation.method != "get" or operation.names_an_object:
            continue
        content = operation.definition["responses"].get("200", {}).get("content", {})
        schema = resolve(document, content.get("application/json", {}).get("schema", {}))
        if "results" in schema.get("properties", {}):
            found.append(operation.path)
    return found


def body_fields(document: dict[str, Any], operation: Operation) -> dict[str, dict[str, Any]]:
    """The fields of the operation's JSON body, each with its schema ($refs resolved);
    empty when it takes no body."""
    body = operation.definition.get("requestBody", {}).get("content", {})
    schema = resolve(document, body.get("application/json", {}).get("schema", {}))
    return {name: resolve(document, field) for name, field in schema.get("properties", {}).items()}


def kind(field: dict[str, Any]) -> str:
    """What a field's schema takes: enum, integer, number, boolean, string, date-time,
    object, array, or any."""
    if "enum" in field:
        return "enum"
    if field.get("type") == "string" and field.get("format") == "date-time":
        return "date-time"
    if "type" in field:
        return field["type"]
    for alternative in field.get("oneOf", field.get("allOf", [])):
        if "enum" in alternative:
            return "enum"
    return "any"
