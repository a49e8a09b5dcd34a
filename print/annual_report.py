"""The annual report (Jahresbericht) for the Mitgliederversammlung: plain dataclasses in, PDF out.

A4, one column, DejaVu Sans 12 pt, "Seite x von y" in the footer, deterministic (invariant=1).
Every figure arrives already worded by the application (amounts in the ring's unit); the charts
are `print.charts.Chart` definitions, the same ones the office's statistics page shows as SVG.
Text is data, never markup: every string is escaped before it reaches a Paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from print.charts import Chart, drawing
from print.layout import GroupStart, Running, build_pdf, paper_templates
from print.styles import styles_for, table_style
from print.text import one_line, para


@dataclass(frozen=True)
class ReportTable:
    """A titled table: a header row and rows of text cells (numbers already formatted)."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "header", tuple(self.header))
        object.__setattr__(self, "rows", tuple(tuple(row) for row in self.rows))


@dataclass(frozen=True)
class ChartWithTable:
    chart: Chart
    table: ReportTable


@dataclass(frozen=True)
class AnnualReport:
    ring_name: str
    title: str  # "Jahresbericht 2026"
    period: str  # "1. Januar bis 31. Dezember 2026"
    created: str  # "erstellt am 4. Januar 2027"
    facts: tuple[tuple[str, str], ...]  # the key figures, label and value
    charts: tuple[ChartWithTable, ...]
    tables: tuple[ReportTable, ...]
    closing: tuple[str, ...]  # lines about the closing (fingerprint), or why there is none
    definitions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("facts", "charts", "tables", "closing", "definitions"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


def _table(table: ReportTable, width: float) -> list[Flowable]:
    st = styles_for()
    out: list[Flowable] = [Paragraph(para(table.title), st.h2)]
    if not table.rows:
        out.append(Paragraph("Keine Einträge.", st.body))
        return out
    rows = [[Paragraph(para(cell), st.cell_bold) for cell in table.header]]
    for row in table.rows:
        rows.append(
            [
                Paragraph(para(cell), st.cell if index == 0 else st.cell_right)
                for index, cell in enumerate(row)
            ]
        )
    columns = len(table.header)
    first = width * (0.5 if columns > 2 else 0.6)
    rest = (width - first) / max(1, columns - 1)
    grid = Table(rows, colWidths=[first] + [rest] * (columns - 1), repeatRows=1)
    grid.setStyle(table_style(st))
    out.append(grid)
    if table.note:
        out.append(Paragraph(para(table.note), st.note))
    out.append(Spacer(0, 4 * mm))
    return out


def _facts(report: AnnualReport, width: float) -> list[Flowable]:
    st = styles_for()
    rows = [
        [Paragraph(para(label), st.cell), Paragraph(para(value), st.cell_right)]
        for label, value in report.facts
    ]
    grid = Table(rows, colWidths=[width * 0.7, width * 0.3])
    grid.setStyle(table_style(st))
    return [Paragraph("Das Jahr in Zahlen", st.h2), grid, Spacer(0, 4 * mm)]


def _chart(item: ChartWithTable, width: float) -> list[Flowable]:
    picture = drawing(item.chart)
    scale = min(1.0, width / picture.width)
    picture.scale(scale, scale)
    picture.width, picture.height = picture.width * scale, picture.height * scale
    return [KeepTogether([picture, Spacer(0, 2 * mm), *_table(item.table, width)])]


def render_annual_report(report: AnnualReport) -> bytes:
    """jahresbericht.pdf: title, key figures, charts each with its table, the other tables, the
    closing's fingerprint and the definitions of the figures."""
    st = styles_for()
    templates = paper_templates(1)
    frame = templates[-1].frames[0]
    width = frame._width - frame._leftPadding - frame._rightPadding
    running = Running(
        header=f"{one_line(report.ring_name)} · {one_line(report.title)}",
        footer="Für die Mitgliederversammlung",
        size=st.size * 0.75,
    )
    story: list[Flowable] = [
        GroupStart(running),
        Paragraph(para(report.title), st.title),
        Paragraph(para(report.ring_name), st.subtitle),
        Paragraph(para(report.period), st.body),
        Paragraph(para(report.created), st.note),
        Spacer(0, 4 * mm),
    ]
    story += _facts(report, width)
    for item in report.charts:
        story += _chart(item, width)
    for table in report.tables:
        story += _table(table, width)
    story.append(Paragraph("Abschluss und Prüfung", st.h2))
    for line in report.closing:
        story.append(Paragraph(para(line), st.body))
    if report.definitions:
        story.append(Paragraph("Wie die Zahlen gezählt werden", st.h2))
        for line in report.definitions:
            story.append(Paragraph(para(line), st.note))
    return build_pdf(
        story,
        [templates[-1]],
        title=f"{one_line(report.title)} – {one_line(report.ring_name)}",
        author=one_line(report.ring_name),
        subject="Jahresbericht",
    )
