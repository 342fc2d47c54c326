"""Escaping for the HTML report: every string is escaped unless it is already ``Markup``.

The page is built with ``element(...)``, which escapes text children and attribute values
(``&``, ``<``, ``>``, ``"`` and ``'``), so untrusted text (file names, document text, YAML values,
evidence) cannot close a tag or an attribute. JSON for the page's script is embedded with
``script_json``: ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 become ``\\uXXXX``
escapes, so no value can close the ``<script>`` element.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

_VOID = frozenset({"br", "col", "hr", "img", "input", "link", "meta", "wbr"})
_JSON_ESCAPES = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


class Markup(str):
    """Text that is already HTML; ``element`` inserts it as it is."""

    __slots__ = ()


Attribute = str | int | float | bool | None


def escape(value: object) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


def join(children: Iterable[Any]) -> Markup:
    parts: list[str] = []
    _flatten(children, parts)
    return Markup("".join(parts))


def _flatten(children: Iterable[Any], parts: list[str]) -> None:
    for child in children:
        if isinstance(child, str):
            parts.append(child if type(child) is Markup else html.escape(child, quote=True))
        elif child is None or child is False:
            continue
        elif isinstance(child, int | float):
            parts.append(str(child))
        else:
            _flatten(child, parts)


def attributes(attrs: Mapping[str, Attribute]) -> str:
    """`` name="value"`` pairs: True gives a bare attribute, None and False leave it out."""
    parts = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{html.escape(str(value), quote=True)}"')
    return "".join(parts)


def element(tag: str, attrs: Mapping[str, Attribute] | None = None, *children: Any) -> Markup:
    """``<tag attrs>children</tag>``; names of attributes are trusted (written in this package),
    their values and the children are escaped unless they are ``Markup``."""
    opening = f"<{tag}{attributes(attrs or {})}>"
    if tag in _VOID:
        return Markup(opening)
    return Markup(f"{opening}{join(children)}</{tag}>")


def script_json(value: object) -> Markup:
    """JSON that is safe inside ``<script type="application/json">``: sorted keys, and no
    character that could end the element or break a JavaScript string."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.translate(_JSON_ESCAPES))


def safe_url(url: str | None) -> str | None:
    """An http(s) or mailto URL as given; anything else (``javascript:``, ``data:``, relative
    paths) is not linked."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https", "mailto") else None
