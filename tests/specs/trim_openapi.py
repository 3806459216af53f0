"""Trim an OpenAPI description to some of its paths, keeping every object it keeps unchanged.

    python tests/specs/trim_openapi.py SRC DST PATH [PATH ...]

Keeps `openapi`, `info`, `servers`, `security` and the named path items (all their operations), then the
components they reference transitively: every local `$ref` ("#/components/..."), `discriminator.mapping` targets
and the security schemes named by security requirements. Tags are kept when a kept operation uses them.
Everything else (other paths, `webhooks`, top-level `x-*` extensions, unreferenced components) is dropped.
Written as indented JSON, like the published file; the output is deterministic, so a re-run gives no diff.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

KEPT_TOP_LEVEL = ("openapi", "info", "jsonSchemaDialect", "servers", "security")
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _pointer(spec: dict[str, Any], ref: str) -> tuple[str, ...]:
    """The parts of a local reference ("#/components/schemas/Foo"), checked to name something."""
    if not ref.startswith("#/"):
        raise SystemExit(f"only local references are supported, found {ref!r}")
    parts = tuple(_unescape(part) for part in ref[2:].split("/"))
    node: Any = spec
    for part in parts:
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError):
            raise SystemExit(f"dangling reference {ref!r}") from None
    return parts


def _references(node: Any) -> list[str]:
    """Local references made anywhere inside `node` (not following them)."""
    found: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("$ref"), str):
                found.append(item["$ref"])
            discriminator = item.get("discriminator")
            mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
            if isinstance(mapping, dict):
                found += [value for value in mapping.values() if isinstance(value, str) and value.startswith("#/")]
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return found


def _security_schemes(node: Any) -> set[str]:
    """Names used by `security` requirement lists (top level and per operation)."""
    names: set[str] = set()
    for requirement in node.get("security") or []:
        names |= set(requirement)
    return names


def trim(spec: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    missing = [path for path in paths if path not in spec.get("paths", {})]
    if missing:
        raise SystemExit(f"not in the description: {', '.join(missing)}")
    out: dict[str, Any] = {key: spec[key] for key in KEPT_TOP_LEVEL if key in spec}
    out["paths"] = {path: spec["paths"][path] for path in paths}
    operations = [op for item in out["paths"].values() for method, op in item.items() if method in HTTP_METHODS]
    used_tags = {tag for op in operations for tag in op.get("tags", [])}
    if "tags" in spec:
        out["tags"] = [tag for tag in spec["tags"] if tag.get("name") in used_tags]
    components: dict[str, dict[str, Any]] = {}
    pending = _references(out)
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        parts = _pointer(spec, ref)
        if parts[0] != "components" or len(parts) < 3:
            continue  # a reference into paths (or deeper) is kept by keeping its owner
        section, name = parts[1], parts[2]
        components.setdefault(section, {})[name] = spec["components"][section][name]
        pending += _references(spec["components"][section][name])
    schemes = _security_schemes(spec) | {name for op in operations for name in _security_schemes(op)}
    for name in sorted(schemes):
        components.setdefault("securitySchemes", {})[name] = spec["components"]["securitySchemes"][name]
    # keep the source's order of sections and of names inside them, so diffs against it stay readable
    order = list(spec.get("components", {}))
    out["components"] = {
        section: {name: spec["components"][section][name] for name in spec["components"][section]
                  if name in components[section]}
        for section in order if section in components
    }
    for ref in _references(out):  # the subset must stand on its own
        _pointer(out, ref)
    return {key: out[key] for key in spec if key in out}  # the source's order of top-level keys


def main(argv: list[str]) -> None:
    if len(argv) < 3:
        raise SystemExit(__doc__)
    source, destination, paths = Path(argv[0]), Path(argv[1]), argv[2:]
    trimmed = trim(json.loads(source.read_text(encoding="utf-8")), paths)
    destination.write_text(json.dumps(trimmed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    counts = ", ".join(f"{len(items)} {section}" for section, items in trimmed["components"].items())
    print(f"{destination}: {len(paths)} paths, {counts}, {destination.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
