"""Offline validation of JSON-LD against the schema.org vocabulary in ../shared/vocab/."""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from tests.helpers import shared_data

# Read once at import: the tests themselves run with every FACTLEDGER_* variable cleared.
VOCAB_OVERRIDE = os.environ.get("FACTLEDGER_VOCAB")


def _ids(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [i["@id"] for i in items]


@cache
def vocabulary() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Classes with their direct superclasses, and properties with their domains; the test
    is skipped where the vocabulary is absent (set FACTLEDGER_VOCAB to its folder elsewhere)."""
    path = shared_data("vocab/schemaorg-30.0", VOCAB_OVERRIDE) / "schemaorg-current-https.jsonld"
    graph = json.loads(path.read_text(encoding="utf-8"))["@graph"]
    classes, props = {}, {}
    for node in graph:
        types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if "rdfs:Class" in types:
            classes[node["@id"]] = _ids(node.get("rdfs:subClassOf"))
        if "rdf:Property" in types:
            props[node["@id"]] = _ids(node.get("schema:domainIncludes"))
    return classes, props


def ancestors(cls: str) -> set[str]:
    classes, _ = vocabulary()
    seen, todo = set(), [cls]
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo.extend(classes.get(c, []))
    return seen


def validate(obj: Any, path: str = "$") -> list[str]:
    """Problems with a schema.org JSON-LD object: unknown types or properties, wrong domains."""
    classes, props = vocabulary()
    problems: list[str] = []
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            problems += validate(item, f"{path}[{i}]")
        return problems
    if not isinstance(obj, dict):
        return problems
    t = obj.get("@type")
    if t is None:
        return [f"{path}: object without @type"]
    cls = f"schema:{t}"
    if cls not in classes:
        return [f"{path}: unknown type {t}"]
    for key, value in obj.items():
        if key.startswith("@"):
            continue
        prop = f"schema:{key}"
        if prop not in props:
            problems.append(f"{path}.{key}: unknown property")
            continue
        if not set(props[prop]) & ancestors(cls):
            problems.append(f"{path}.{key}: not a property of {t} (domain {props[prop]})")
        if isinstance(value, dict | list):
            problems += validate(value, f"{path}.{key}")
    return problems
