"""The completeness matrix as HTML: one table per level, sticky headers, abbreviated artifact
numbers with their names as tooltips and in a key, and a legend of colour plus symbol."""

from __future__ import annotations

from collections.abc import Mapping

from etmf.formats.html.markup import Markup, element, join
from etmf.formats.html.matrix import NOT_EXPECTED_SYMBOL, Cell, CellState, Column, Matrix, Row

_HEADINGS = {"site": "Sites", "country": "Countries", "trial": "Trial"}
_CORNERS = {"site": "Site", "country": "Country", "trial": ""}


def legend() -> Markup:
    items = [
        element(
            "li",
            None,
            element(
                "span", {"class": f"cell c-{state.value}", "aria-hidden": "true"}, state.symbol
            ),
            " ",
            state.label,
        )
        for state in CellState
    ]
    items.append(
        element(
            "li",
            None,
            element("span", {"class": "cell c-none", "aria-hidden": "true"}, NOT_EXPECTED_SYMBOL),
            " not expected at this scope",
        )
    )
    return element("ul", {"class": "legend"}, items)


def matrix_table(
    matrix: Matrix, *, findings: Mapping[str, str], documents: Mapping[str, str]
) -> Markup:
    """``findings`` and ``documents`` map finding ids and paths to the page's anchors."""
    heading = _HEADINGS[matrix.level.value]
    header = element(
        "tr",
        None,
        element("th", {"class": "corner", "scope": "col"}, _CORNERS[matrix.level.value]),
        [
            element(
                "th",
                {"class": "col", "scope": "col", "title": column.title},
                element(
                    "abbr", {"title": column.title}, element("span", {"class": "v"}, column.code)
                ),
            )
            for column in matrix.columns
        ],
    )
    body = [_row(row, matrix.columns, findings, documents) for row in matrix.rows]
    return join(
        [
            element(
                "h3",
                None,
                f"{heading}: {len(matrix.rows)} × {len(matrix.columns)} expected artifacts",
            ),
            element(
                "div",
                {"class": "matrix-wrap", "tabindex": "0"},
                element(
                    "table",
                    {"class": "matrix", "data-level": matrix.level.value},
                    element("thead", None, header),
                    element("tbody", None, body),
                ),
            ),
        ]
    )


def _row(
    row: Row, columns: tuple[Column, ...], findings: Mapping[str, str], documents: Mapping[str, str]
) -> Markup:
    label = row.label + (f" ({row.country})" if row.site and row.country else "")
    cells = [
        _cell(row, column, cell, findings, documents)
        for column, cell in zip(columns, row.cells, strict=True)
    ]
    return element("tr", {"data-scope": row.label}, element("th", {"scope": "row"}, label), cells)


def _cell(
    row: Row,
    column: Column,
    cell: Cell | None,
    findings: Mapping[str, str],
    documents: Mapping[str, str],
) -> Markup:
    if cell is None:
        tip = f"{row.label} · {column.title}: not expected"
        return element("td", {"class": "cell c-none", "title": tip}, NOT_EXPECTED_SYMBOL)
    lines = [f"{row.label} · {column.title}: {cell.state.label}"]
    for item in cell.expectations:
        due = f", due {item.due.isoformat()}" if item.due else ""
        lines.append(f"{item.rule} ({item.profile}): {item.status.value.replace('_', ' ')}{due}")
        lines += [f"  {path}" for path in item.documents[:3]]
        if item.note:
            lines.append(f"  {item.note}")
    lines += [f"{f.kind.value}: {f.message}" for f in cell.findings[:3]]
    target = next((findings[f.id] for f in cell.findings if f.id in findings), None)
    if target is None:
        paths = (p for item in cell.expectations for p in item.documents)
        target = next((documents[p] for p in paths if p in documents), None)
    symbol: object = cell.state.symbol
    if target is not None:
        symbol = element("a", {"href": f"#{target}"}, cell.state.symbol)
    return element(
        "td",
        {
            "class": f"cell c-{cell.state.value}",
            "title": "\n".join(lines),
            "data-state": cell.state.value,
        },
        symbol,
    )


def column_key(matrix: Matrix) -> Markup:
    """The abbreviations spelled out: tooltips do not print."""
    return element(
        "ul",
        {"class": "key"},
        [
            element(
                "li",
                None,
                element("code", None, column.code),
                " ",
                column.title[len(column.artifact) + 1 :],
            )
            for column in matrix.columns
        ],
    )


def matrix_section(
    matrices: list[Matrix], *, findings: Mapping[str, str], documents: Mapping[str, str]
) -> Markup:
    shown = [m for m in matrices if m.rows and m.columns]
    if not shown:
        body: list[Markup] = [
            element(
                "p",
                None,
                "Nothing is expected yet: no study configuration, or no milestone reached.",
            )
        ]
    else:
        body = [legend()]
        for matrix in shown:
            body.append(matrix_table(matrix, findings=findings, documents=documents))
            body.append(
                element(
                    "details",
                    {"class": "key-wrap", "open": True},
                    element(
                        "summary",
                        None,
                        f"Key to the {_HEADINGS[matrix.level.value].lower()} columns",
                    ),
                    column_key(matrix),
                )
            )
    return element(
        "section",
        {"id": "matrix"},
        element("h2", None, "Completeness matrix"),
        element(
            "p",
            {"class": "hint"},
            "Each cell is one expected artifact at one scope. Hover a cell for the rule, the due "
            "date and the documents; a symbol links to its finding or document.",
        ),
        body,
    )
