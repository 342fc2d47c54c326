"""The HTML report: one self-contained page for an inspection-readiness review.

``render(report, options=HtmlOptions(...))`` is pure: the same report and options give the same
bytes. The page holds its stylesheet, script and SVG charts inline, loads nothing from the
network (a Content-Security-Policy allows only the inline stylesheet and script, by hash), and
escapes every piece of untrusted text. It prints as an inspection-binder document.
"""

from __future__ import annotations

from etmf.formats.html.options import HtmlOptions
from etmf.formats.html.page import render_page
from etmf.model import Report, TrendPoint

__all__ = ["HtmlOptions", "TrendPoint", "render"]


def render(report: Report, *, options: HtmlOptions | None = None) -> str:
    return render_page(report, options or HtmlOptions())
