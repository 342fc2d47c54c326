"""Read YAML configuration safely and validate it against the JSON Schemas shipped in the package.

Every configuration file (``etmf.yaml``, profiles, rule files) goes through :func:`load_yaml`
and :func:`validate`, so that every mistake reads the same way::

    etmf.yaml: sites[2].country (line 14): expected a string, got integer 7

Dates stay strings until the schema has checked them: PyYAML would otherwise turn
``2025-02-30`` into an exception without a file or a key path. Duplicate keys are errors,
not silently the last one wins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource

from etmf.errors import ConfigError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps, rejecting duplicate keys."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str, *, source: str) -> Any:
    """Parse YAML text; syntax errors become ConfigError naming the file and the line."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(source, "", f"invalid YAML at {where}: {error.problem}") from None
    except yaml.YAMLError as error:
        raise ConfigError(source, "", f"invalid YAML: {error}") from None


def load_yaml_file(path: Path, *, source: str | None = None) -> Any:
    name = source or str(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(name, "", "file not found") from None
    except UnicodeDecodeError as error:
        raise ConfigError(name, "", f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ConfigError(name, "", f"cannot read: {error.strerror}") from None
    return load_yaml(text, source=name)


def parse_date(value: str) -> date:
    """A YYYY-MM-DD string that the schema has already accepted."""
    return date.fromisoformat(value)


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date")(_is_date)


@cache
def _registry() -> Registry[Any]:
    resources = []
    for entry in files("etmf.schemas").iterdir():
        if entry.name.endswith(".schema.json"):
            schema = json.loads(entry.read_text("utf-8"))
            resources.append((entry.name, Resource.from_contents(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)
    return registry


@cache
def _validator(schema_name: str) -> jsonschema.Draft202012Validator:
    schema = _registry().contents(schema_name)
    return jsonschema.Draft202012Validator(schema, registry=_registry(), format_checker=_FORMATS)


def schema(schema_name: str) -> Any:
    """The JSON Schema shipped as ``etmf/schemas/<schema_name>``."""
    return _registry().contents(schema_name)


def validate(data: Any, schema_name: str, *, source: str, text: str | None = None) -> None:
    """Raise ConfigError for the first problem (in file order), naming key path and line."""
    errors = list(_validator(schema_name).iter_errors(data))
    if not errors:
        return
    lines = _line_index(text) if text is not None else {}
    described = []
    for error in errors:
        message, path = describe_error(error, key_path(error.absolute_path))
        line = _line_of(lines, _parsekey_path(path))
        described.append((line or 0, -len(error.absolute_path), path, message))
    line, _, path, message = min(described)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    raise ConfigError(source, f"{path} (line {line})" if line else path, message)


def load_packaged_rules(filename: str, schema_name: str) -> tuple[Any, str]:
    """A YAML file shipped in ``rules/``, parsed and validated; returns (data, source name)."""
    source = f"rules/{filename}"
    text = files("etmf.rules").joinpath(filename).read_text("utf-8")
    raw = load_yaml(text, source=source)
    validate(raw, schema_name, source=source, text=text)
    return raw, source


def config_error(
    source: str, path: list[str | int], message: str, *, text: str | None = None
) -> ConfigError:
    """A ConfigError about the key at ``path``, with its line when the YAML text is given."""
    key = key_path(path)
    line = _line_of(_line_index(text), path) if text is not None else None
    return ConfigError(source, f"{key} (line {line})" if line else key, message)


def describe_error(error: jsonschema.ValidationError, path: str) -> tuple[str, str]:
    """A message in the user's terms, and the key path (``path`` plus any key it names)."""
    validator, instance = error.validator, error.instance
    subschema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    value: Any = error.validator_value
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(subschema.get("properties", {}))
        extra = sorted(str(key) for key in instance if key not in allowed)
        key = extra[0] if extra else "?"
        hint = f" (expected one of: {', '.join(allowed)})" if allowed else ""
        return f"unknown key {key!r}{hint}", _join(path, key)
    if validator == "unevaluatedProperties":
        extra = re.findall(r"'([^']+)'", error.message)
        return f"unknown key {extra[0]!r}" if extra else error.message, _join(
            path, extra[0] if extra else ""
        )
    if validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return f"missing required key {missing[0]!r}" if missing else error.message, path
    if validator == "format" and value == "date":
        return f"expected a date written YYYY-MM-DD, got {instance!r}", path
    if validator == "type":
        expected = value
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        return f"expected {_article(wanted)}, got {_type_name(instance)} {instance!r}", path
    if validator == "enum":
        options = ", ".join(str(option) for option in value)
        return f"expected one of: {options}; got {instance!r}", path
    if validator == "pattern":
        description = subschema.get("description")
        expected = description or f"text matching {value}"
        return f"expected {expected}, got {instance!r}", path
    if validator == "propertyNames":
        description = subschema.get("propertyNames", {}).get("description")
        bad = error.message.split(" ")[0]
        return f"key {bad} is not allowed" + (f": {description}" if description else ""), path
    description = subschema.get("description")
    return (f"{error.message} ({description})" if description else error.message), path


def _article(type_name: str) -> str:
    names = {"object": "a mapping", "array": "a list", "integer": "an integer"}
    return names.get(type_name, f"a {type_name}")


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "mapping", list: "list", str: "string", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def key_path(parts: Any) -> str:
    path = ""
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else _join(path, part)
    return path


def _parsekey_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return parts


def _line_index(text: str) -> dict[tuple[str | int, ...], int]:
    """Map each key path of a YAML text to its line number (1-based)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return {}
    index: dict[tuple[str | int, ...], int] = {}
    for path, node in _walk(root, ()):
        index.setdefault(path, node.start_mark.line + 1)
    return index


def _walk(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if node is None:
        return
    yield path, node
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            yield child, key
            yield from _walk(value, child)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            yield from _walk(item, (*path, position))


def _line_of(lines: dict[tuple[str | int, ...], int], parts: list[Any]) -> int | None:
    key = tuple(str(p) if not isinstance(p, int) else p for p in parts)
    while key:
        if key in lines:
            return lines[key]
        key = key[:-1]
    return None
