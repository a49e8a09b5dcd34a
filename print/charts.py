"""Charts of the ring's figures, drawn with reportlab's own graphics: one definition (`Chart`)
serves the annual report (PDF) and the office's statistics page (SVG rendered on the server).

A chart is deterministic: the same figures give the same drawing, the same PDF bytes and the
same SVG text. Every string is set in DejaVu Sans (never Helvetica). The geometry is fixed and
public (`PLOT_*`), so tests can look for ink exactly where a bar must be.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Literal

from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.colors import Color, black
from reportlab.pdfgen.canvas import Canvas

from print.fonts import REGULAR, register_fonts

ChartKind = Literal["bar", "line"]

WIDTH, HEIGHT = 480.0, 220.0
PLOT_X, PLOT_Y = 50.0, 40.0
PLOT_WIDTH, PLOT_HEIGHT = 410.0, 140.0
BAR_FILL = Color(0.16, 0.36, 0.58)
LINE_COLOUR = Color(0.75, 0.3, 0.1)
FONT_SIZE = 8.0


@dataclass(frozen=True)
class Chart:
    """One chart: a title, a label per column (e.g. month) and a value per column.

    `values` are plain numbers in the unit named by `unit` (e.g. hours as 12.5): the application
    converts minutes before; print/ draws what it is given. `table_header` names the value column
    of the table shown beside the chart.
    """

    key: str
    title: str
    kind: ChartKind
    labels: tuple[str, ...]
    values: tuple[float, ...]
    unit: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", tuple(self.labels))
        object.__setattr__(self, "values", tuple(self.values))
        if len(self.labels) != len(self.values):
            raise ValueError("a chart needs one label per value")


def _scale_top(values: tuple[float, ...]) -> float:
    """A round top of the value axis (1, 2, 5 times a power of ten) at or above the largest value."""
    top = max([0.0, *values])
    if top <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= top:
        step *= 10
    while step > top * 10:
        step /= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= top:
            return step * factor
    return step * 10


def _style_axes(chart) -> None:
    for axis in (chart.valueAxis if hasattr(chart, "valueAxis") else chart.yValueAxis,):
        axis.labels.fontName = REGULAR
        axis.labels.fontSize = FONT_SIZE


def bar_slot(chart: Chart, index: int) -> tuple[float, float]:
    """The x range (in drawing points) of the bar at `index`: for tests and image maps."""
    slot = PLOT_WIDTH / max(1, len(chart.values))
    left = PLOT_X + slot * index + slot * 0.2
    return left, left + slot * 0.6


def value_height(chart: Chart, value: float) -> float:
    """How high above the plot's base a value reaches (in drawing points)."""
    return PLOT_HEIGHT * max(0.0, value) / _scale_top(chart.values)


def _bar(chart: Chart) -> VerticalBarChart:
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = PLOT_X, PLOT_Y, PLOT_WIDTH, PLOT_HEIGHT
    bars.data = [list(chart.values) or [0]]
    bars.categoryAxis.categoryNames = list(chart.labels) or [""]
    bars.categoryAxis.labels.fontName = REGULAR
    bars.categoryAxis.labels.fontSize = FONT_SIZE
    bars.categoryAxis.labels.angle = 0
    bars.categoryAxis.labels.dy = -4
    bars.valueAxis.valueMin = 0
    bars.valueAxis.valueMax = _scale_top(chart.values)
    bars.valueAxis.valueStep = bars.valueAxis.valueMax / 5
    bars.valueAxis.labels.fontName = REGULAR
    bars.valueAxis.labels.fontSize = FONT_SIZE
    bars.barSpacing = 0
    bars.groupSpacing = PLOT_WIDTH / max(1, len(chart.values)) * 0.4
    bars.bars[0].fillColor = BAR_FILL
    bars.bars[0].strokeColor = None
    return bars


def _line(chart: Chart) -> LinePlot:
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = PLOT_X, PLOT_Y, PLOT_WIDTH, PLOT_HEIGHT
    count = max(1, len(chart.values))
    plot.data = [[(index + 0.5, value) for index, value in enumerate(chart.values)] or [(0.5, 0)]]
    plot.lines[0].strokeColor = LINE_COLOUR
    plot.lines[0].strokeWidth = 2
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = count
    plot.xValueAxis.valueSteps = [index + 0.5 for index in range(count)]
    labels = list(chart.labels)
    plot.xValueAxis.labelTextFormat = lambda value: (
        labels[int(value)] if 0 <= int(value) < len(labels) else ""
    )
    plot.xValueAxis.labels.fontName = REGULAR
    plot.xValueAxis.labels.fontSize = FONT_SIZE
    plot.yValueAxis.valueMin = 0
    plot.yValueAxis.valueMax = _scale_top(chart.values)
    plot.yValueAxis.valueStep = plot.yValueAxis.valueMax / 5
    plot.yValueAxis.labels.fontName = REGULAR
    plot.yValueAxis.labels.fontSize = FONT_SIZE
    return plot


def drawing(chart: Chart) -> Drawing:
    """The chart as a reportlab Drawing (WIDTH x HEIGHT points), title on top."""
    register_fonts()
    canvas = Drawing(WIDTH, HEIGHT)
    # The renderer starts from the drawing's initial font; reportlab's default is Helvetica.
    canvas.initialFontName = REGULAR
    canvas.initialFontSize = FONT_SIZE
    canvas.add(_bar(chart) if chart.kind == "bar" else _line(chart))
    canvas.add(String(PLOT_X, HEIGHT - 18, chart.title, fontName=REGULAR, fontSize=11, fillColor=black))
    if chart.unit:
        canvas.add(
            String(PLOT_X, HEIGHT - 32, chart.unit, fontName=REGULAR, fontSize=FONT_SIZE, fillColor=black)
        )
    return canvas


_STYLE = re.compile(r'style="([^"]*)"')
_PRESENTATION = frozenset(
    {
        "clip-path",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "stroke",
        "stroke-dasharray",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
    }
)


def _attributes(match: re.Match[str]) -> str:
    """style="fill: red; stroke: none" as fill="red" stroke="none": a Content-Security-Policy
    without 'unsafe-inline' blocks style attributes, never SVG presentation attributes."""
    out = []
    for part in match.group(1).split(";"):
        name, _, value = part.partition(":")
        name, value = name.strip(), value.strip()
        if name == "font-family":  # the browser knows the face by its family name
            value = "DejaVu Sans, Verdana, sans-serif"
        if name in _PRESENTATION and value and '"' not in value:
            out.append(f'{name}="{value}"')
    return " ".join(out)


def chart_svg(chart: Chart) -> str:
    """The chart as SVG text (server-rendered, no script, no inline style), deterministic."""
    text = renderSVG.drawToString(drawing(chart))
    # The XML declaration is not allowed inside an HTML page; the <svg> element is.
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    return _STYLE.sub(_attributes, text)


def chart_pdf(chart: Chart) -> bytes:
    """One chart alone as a one-page PDF of its own size (for checks and downloads)."""
    buffer = io.BytesIO()
    register_fonts()
    canvas = Canvas(buffer, pagesize=(WIDTH, HEIGHT), invariant=1, initialFontName=REGULAR)
    canvas.setTitle(chart.title)
    canvas.setCreator("Tauschring")
    renderPDF.draw(drawing(chart), canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
