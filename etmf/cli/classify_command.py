"""``etmf classify FILE... [--title TEXT]...``: which artifact is this?"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from etmf.cli.output import emit
from etmf.errors import UsageError
from etmf.extract import Limits, extract
from etmf.inventory import classifier
from etmf.tmf.classify import Classification, ClassificationInput


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "classify",
        help="classify files or titles against the TMF Reference Model",
        description="Print the artifact, sub-artifact, confidence and evidence for each input, "
        "in the order given.",
    )
    parser.add_argument("files", nargs="*", type=Path, help="PDF, DOCX or other files")
    parser.add_argument(
        "--title", action="append", default=[], metavar="TEXT", help="a document title (repeatable)"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(run=run)


def ordered_inputs(argv: list[str]) -> list[tuple[str, str]]:
    """(kind, value) in the order given on the command line: 'file' or 'title'."""
    inputs: list[tuple[str, str]] = []
    tokens = argv[argv.index("classify") + 1 :]
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token in ("--title", "--format"):
            if token == "--title":
                inputs.append(("title", tokens[position + 1]))
            position += 2
            continue
        if token.startswith("--title="):
            inputs.append(("title", token.split("=", 1)[1]))
        elif not token.startswith("--"):
            inputs.append(("file", token))
        position += 1
    return inputs


def classify_input(kind: str, value: str) -> Classification:
    if kind == "title":
        return classifier().classify_title(value)
    path = Path(value)
    if not path.is_file():
        raise UsageError(f"{value}: no such file")
    extraction = extract(path.name, path.read_bytes(), Limits())
    return classifier().classify(
        ClassificationInput(filename=path.name, title=extraction.title, text=extraction.text)
    )


def run(options: argparse.Namespace, argv: list[str]) -> int:
    inputs = ordered_inputs(argv)
    if not inputs:
        raise UsageError("classify needs FILE arguments or --title TEXT")
    results = [(value, classify_input(kind, value)) for kind, value in inputs]
    if options.format == "json":
        payload = [
            {
                "input": value,
                "artifact": result.artifact,
                "artifact_name": result.artifact_name,
                "subartifact": result.subartifact,
                "confidence": result.confidence,
                "evidence": [item.model_dump(mode="json") for item in result.evidence],
            }
            for value, result in results
        ]
        emit(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", None)
        return 0
    lines = []
    for value, result in results:
        if result.artifact is None:
            lines.append(f"{value}\n  unclassified (candidates: {_candidates(result)})")
            continue
        sub = f" / {result.subartifact}" if result.subartifact else ""
        lines.append(
            f"{value}\n  {result.artifact} {result.artifact_name}{sub}  "
            f"(confidence {result.confidence:.2f})"
        )
        lines += [f"    [{e.source.value}] {e.text} ({e.detail})" for e in result.evidence]
    emit("\n".join(lines) + "\n", None)
    return 0


def _candidates(result: Classification) -> str:
    return ", ".join(f"{a} {s:.2f}" for a, s in result.candidates) or "none"
