"""Hand-written SVG charts: no library, no script, nothing fetched. Every chart is an ``<svg
class="chart">`` with a ``viewBox`` and a ``<title>``, its numbers also written as text so it
reads in black and white."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from etmf.formats.html.completeness import ScopeCompleteness, severities
from etmf.formats.html.markup import Attribute, Markup, element, join
from etmf.formats.html.timeline import ExpiryItem
from etmf.model import Kind, Severity, TrendPoint


def _n(value: float) -> str:
    """A coordinate, written the same way every time."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg(width: int, height: int, title: str, *children: object, css: str = "") -> Markup:
    return element(
        "svg",
        {
            "class": f"chart {css}".strip(),
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width} {height}",
            "width": width,
            "height": height,
            "role": "img",
            "aria-label": title,
        },
        element("title", None, title),
        *children,
    )


def _rect(x: float, y: float, width: float, height: float, css: str, tip: str = "") -> Markup:
    return element(
        "rect",
        {"x": _n(x), "y": _n(y), "width": _n(width), "height": _n(height), "class": css},
        element("title", None, tip) if tip else None,
    )


def _text(x: float, y: float, text: str, css: str = "", anchor: str = "start") -> Markup:
    return element(
        "text", {"x": _n(x), "y": _n(y), "class": css or None, "text-anchor": anchor}, text
    )


def completeness_bar(scope: ScopeCompleteness, *, width: int = 140) -> Markup:
    """A bar of present (filled) against missing (hatched) records at one scope."""
    due = scope.present + scope.missing
    ratio = scope.ratio
    title = (
        f"{scope.label}: {scope.present} of {due} due records present"
        if ratio is not None
        else f"{scope.label}: nothing due yet"
    )
    present = width * (ratio if ratio is not None else 0.0)
    return _svg(
        width,
        14,
        title,
        _rect(0, 1, width, 12, "track"),
        _rect(0, 1, present, 12, "present") if present else None,
        _rect(present, 1, width - present, 12, "missing")
        if ratio is not None and ratio < 1
        else None,
        css="bar",
    )


def findings_chart(counts: dict[Kind, Counter[Severity]]) -> Markup:
    """Open findings per kind, stacked by severity, worst first."""
    label_width, bar_width, row = 130, 400, 22
    largest = max((sum(c.values()) for c in counts.values()), default=0)
    height = max(row * len(counts) + 30, 40)
    children: list[Markup] = []
    for position, (kind, by_severity) in enumerate(counts.items()):
        y = 6 + position * row
        children.append(_text(label_width - 8, y + 14, kind.value, anchor="end"))
        x = float(label_width)
        for severity in severities():
            count = by_severity.get(severity, 0)
            if not count:
                continue
            width = bar_width * count / largest
            tip = f"{kind.value}: {count} {severity.value}"
            children.append(_rect(x, y + 2, width, row - 6, f"sev-{severity.value}", tip))
            x += width
        children.append(_text(x + 6, y + 14, str(sum(by_severity.values())), "count"))
    legend_y = height - 8
    x = float(label_width)
    for severity in severities():
        children.append(_rect(x, legend_y - 10, 12, 12, f"sev-{severity.value}"))
        children.append(_text(x + 16, legend_y, severity.value))
        x += 90
    total = sum(sum(c.values()) for c in counts.values())
    return _svg(
        label_width + bar_width + 50,
        height,
        f"{total} open findings by kind and severity",
        *children,
    )


def timeline_chart(
    items: Sequence[ExpiryItem], *, as_of: date, horizon_days: int, limit: int = 40
) -> Markup:
    """One bar per document from ``as_of`` to its expiry; the first ``limit`` items."""
    shown = list(items[:limit])
    left, right, row, top = 300, 880, 20, 34
    height = top + row * len(shown) + 10

    def x_of(days: int) -> float:
        return left + (right - left) * min(max(days, 0), horizon_days) / horizon_days

    step = max(1, round(horizon_days / 6 / 5) * 5)
    children: list[Markup] = []
    for days in range(0, horizon_days + 1, step):
        x = x_of(days)
        line = {"x1": _n(x), "x2": _n(x), "y1": "24", "y2": _n(height - 6), "class": "grid"}
        children.append(element("line", line))
        children.append(_text(x, 16, "as of" if days == 0 else f"+{days} d", "axis", "middle"))
    for position, item in enumerate(shown):
        y = top + position * row
        urgency = "soon" if item.days_left <= horizon_days / 3 else "later"
        name = item.document.path.rsplit("/", 1)[-1]
        label = name if len(name) <= 44 else name[:43] + "…"
        tip = f"{item.document.path}: expires {item.expires.isoformat()} ({item.days_left} days)"
        children.append(_text(left - 8, y + 13, label, anchor="end"))
        children.append(
            _rect(left, y + 3, max(x_of(item.days_left) - left, 2), row - 6, urgency, tip)
        )
        children.append(_text(x_of(item.days_left) + 6, y + 13, item.expires.isoformat(), "count"))
    title = f"{len(items)} documents expire by {horizon_days} days after {as_of.isoformat()}"
    return _svg(right + 90, height, title, *children, css="timeline")


def trend_chart(points: Sequence[TrendPoint]) -> Markup:
    """Completeness (left axis, %) and open findings (right axis) over the scans."""
    ordered = sorted(points, key=lambda p: p.scanned_at)
    left, right, top, bottom = 60, 840, 20, 220
    first, last = ordered[0].scanned_at, ordered[-1].scanned_at
    span = (last - first).total_seconds()
    most = max(max(p.open_findings for p in ordered), 1)

    def x_of(point: TrendPoint) -> float:
        if span == 0:
            return (left + right) / 2
        return left + (right - left) * (point.scanned_at - first).total_seconds() / span

    def y_of(fraction: float) -> float:
        return bottom - (bottom - top) * fraction

    children: list[Markup] = []
    for tick in range(0, 101, 25):
        y = y_of(tick / 100)
        grid: dict[str, Attribute] = {
            "x1": left,
            "x2": right,
            "y1": _n(y),
            "y2": _n(y),
            "class": "grid",
        }
        children.append(element("line", grid))
        children.append(_text(left - 6, y + 4, f"{tick}%", "axis", "end"))
        children.append(_text(right + 6, y + 4, _n(most * tick / 100), "axis"))
    complete = [(x_of(p), y_of(p.completeness)) for p in ordered if p.completeness is not None]
    opened = [(x_of(p), y_of(p.open_findings / most)) for p in ordered]
    for css, line in (("completeness", complete), ("open", opened)):
        if line:
            coordinates = " ".join(f"{_n(x)},{_n(y)}" for x, y in line)
            children.append(element("polyline", {"points": coordinates, "class": css}))
    for point in ordered:
        x = x_of(point)
        share = "n/a" if point.completeness is None else f"{point.completeness:.1%}"
        tip = (
            f"{point.scanned_at.isoformat()} (as of {point.as_of.isoformat()}): "
            f"{share} complete, {point.open_findings} open findings"
        )
        if point.completeness is not None:
            children.append(_dot(x, y_of(point.completeness), "completeness", tip))
        children.append(_dot(x, y_of(point.open_findings / most), "open", tip, square=True))
    for point in (ordered[0], ordered[-1]) if span else (ordered[0],):
        children.append(
            _text(x_of(point), bottom + 18, point.scanned_at.date().isoformat(), "axis", "middle")
        )
    children.append(_text(left, bottom + 36, "● completeness (left axis)", "completeness-label"))
    children.append(_text(right, bottom + 36, "■ open findings (right axis)", "open-label", "end"))
    title = f"Completeness and open findings over {len(ordered)} scans"
    return _svg(right + 50, bottom + 44, title, join(children), css="trend")


def _dot(x: float, y: float, css: str, tip: str, *, square: bool = False) -> Markup:
    attrs: dict[str, Attribute]
    if square:
        attrs = {"x": _n(x - 4), "y": _n(y - 4), "width": 8, "height": 8, "class": css}
        return element("rect", attrs, element("title", None, tip))
    attrs = {"cx": _n(x), "cy": _n(y), "r": 4, "class": css}
    return element("circle", attrs, element("title", None, tip))
