"""A compact, fast and exact encoding of a Document for the cache.

A warm rescan of 100,000 documents must cost little more than walking the folder, so reading a
document back must take microseconds. pydantic's ``model_validate_json`` takes about 130 µs for a
typical Document (13 s for 100,000); decoding this encoding takes 5 to 15 µs. Each model
becomes a tuple of its field values in declaration order (enums as their values, dates as day
numbers, datetimes in ISO form), serialised with :mod:`marshal`, which reads and writes only
plain data, never code it would run. Decoding builds the frozen models without validating them
again: the values were validated when the document was first made, and every row carries a
checksum, so bytes that do not decode to exactly what was stored are rejected (see
:mod:`etmf.cache.store`).

The encoders and decoders (generated source, one function per model) are derived from the
models' field annotations, so a new field needs no change here; :data:`CODEC_VERSION` is a
digest of the fields and their types, and the cache drops rows written under another one.
Identical sub-models (the same evidence, the same metadata date) decode to one shared object:
they are frozen, and 100,000 documents hold many repeats. Every decoded model counts all its
fields as set (``model_fields_set``), where one built by hand counts those passed: dumps with
``exclude_unset`` would differ (etmf uses none).
"""

from __future__ import annotations

import enum
import hashlib
import marshal
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from etmf.model import Document

Encoder = Callable[[Any], Any]
_MARSHAL_VERSION = 4
_SHARED_LIMIT = 200_000  # distinct sub-models kept for sharing; beyond that, decode afresh


class CodecError(ValueError):
    """Bytes that are not an encoded Document."""


class _Builder:
    """Encoders (closures) and decoders (generated source, one function per model: a warm
    rescan decodes every document, and a call per field would double the cost)."""

    def __init__(self) -> None:
        self.names: list[str] = []  # the signature of every field and type, for CODEC_VERSION
        self.namespace: dict[str, Any] = {
            "new": object.__new__,
            "assign": object.__setattr__,
            "CodecError": CodecError,
            "fromordinal": date.fromordinal,
            "fromisoformat": datetime.fromisoformat,
        }
        self.sources: list[str] = []
        self.encoders: dict[type[BaseModel], Encoder] = {}

    def model(self, model: type[BaseModel], *, share: bool) -> Encoder:
        if model in self.encoders:
            return self.encoders[model]
        fields = tuple(model.model_fields)
        encoders, values = [], []
        for position, (name, info) in enumerate(model.model_fields.items()):
            self.names.append(name)
            encode, expression = self.field(info.annotation, f"t[{position}]", 0)
            encoders.append(encode)
            values.append(f"{name!r}: {expression}")
        key = model.__name__
        self.namespace[f"{key}_cls"] = model
        self.namespace[f"{key}_fields"] = set(fields)  # shared: frozen models never change it
        self.namespace[f"{key}_shared"] = {}
        lookup = (
            f"    known = {key}_shared.get(t)\n    if known is not None:\n        return known\n"
            if share
            else ""
        )
        remember = (
            f"    if len({key}_shared) < {_SHARED_LIMIT}:\n        {key}_shared[t] = instance\n"
            if share
            else ""
        )
        self.sources.append(
            f"def decode_{key}(t):\n{lookup}"
            f"    if len(t) != {len(fields)}:\n"
            f"        raise CodecError('{key}: wrong number of values')\n"
            f"    instance = new({key}_cls)\n"
            f"    assign(instance, '__dict__', {{{', '.join(values)}}})\n"
            f"    assign(instance, '__pydantic_fields_set__', {key}_fields)\n"
            "    assign(instance, '__pydantic_extra__', None)\n"
            "    assign(instance, '__pydantic_private__', None)\n"
            f"{remember}    return instance\n"
        )
        converters = tuple(zip(encoders, fields, strict=True))

        def encode_model(instance: Any) -> tuple[Any, ...]:
            values = instance.__dict__
            return tuple([convert(values[name]) for convert, name in converters])

        self.encoders[model] = encode_model
        return encode_model

    def field(self, annotation: Any, value: str, depth: int) -> tuple[Encoder, str]:
        """An encoder for values of ``annotation`` and a decoding expression of ``value``."""
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin in (types.UnionType, typing.Union):
            inner = [a for a in args if a is not type(None)]
            if len(inner) != 1 or len(args) != 2:
                raise TypeError(f"cannot encode {annotation!r}")
            self.names.append("?")
            encode, expression = self.field(inner[0], value, depth)
            if expression != value:
                expression = f"(None if {value} is None else {expression})"
            return (lambda v: None if v is None else encode(v)), expression
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            self.names.append("*")
            item = f"x{depth}"
            encode, expression = self.field(args[0], item, depth + 1)
            call = f"decode_{getattr(args[0], '__name__', '')}({item})"
            if expression == call:  # a tuple of models: map, and nothing to do when empty
                expression = f"(tuple(map(decode_{args[0].__name__}, {value})) if {value} else ())"
            elif expression != item:
                expression = f"tuple([{expression} for {item} in {value}])"
            else:
                expression = value
            return (lambda values: tuple([encode(v) for v in values])), expression
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            self.names.append(annotation.__name__)
            return self.model(annotation, share=True), f"decode_{annotation.__name__}({value})"
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            self.names.append(f"{annotation.__name__}{sorted(m.value for m in annotation)}")
            self.namespace[f"{annotation.__name__}_members"] = dict(annotation._value2member_map_)
            return (lambda member: member.value), f"{annotation.__name__}_members[{value}]"
        if annotation is datetime:
            self.names.append("datetime")
            return datetime.isoformat, f"fromisoformat({value})"
        if annotation is date:
            self.names.append("date")
            return date.toordinal, f"fromordinal({value})"
        if annotation in (str, int, float, bool):
            self.names.append(annotation.__name__)
            return (lambda v: v), value
        raise TypeError(f"cannot encode {annotation!r}")

    def decoder(self, model: type[BaseModel]) -> Callable[[Any], Any]:
        exec("\n".join(self.sources), self.namespace)  # our own generated source
        decode: Callable[[Any], Any] = self.namespace[f"decode_{model.__name__}"]
        return decode


def _build() -> tuple[Encoder, Callable[[Any], Any], str, list[dict[Any, Any]]]:
    builder = _Builder()
    encode = builder.model(Document, share=False)
    version = hashlib.sha256("|".join(builder.names).encode()).hexdigest()[:16]
    decode = builder.decoder(Document)
    shared = [v for k, v in builder.namespace.items() if k.endswith("_shared")]
    return encode, decode, version, shared


_encode, _decode, CODEC_VERSION, _SHARED = _build()


def forget_shared() -> None:
    """Let go of the sub-models kept for sharing (after a scan: a watch runs for days)."""
    for shared in _SHARED:
        shared.clear()


def encode(document: Document) -> bytes:
    return marshal.dumps(_encode(document), _MARSHAL_VERSION)


def decode(payload: bytes) -> Document:
    """The Document ``payload`` encodes; :class:`CodecError` for anything else."""
    try:
        document = _decode(marshal.loads(payload))
    except CodecError:
        raise
    except Exception as error:  # EOFError, ValueError, TypeError, KeyError of a bad enum value
        raise CodecError(f"not an encoded document ({type(error).__name__})") from None
    if not isinstance(document, Document):
        raise CodecError("not an encoded document")
    return document
