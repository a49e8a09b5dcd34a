"""The charts, looked at: rendered with pdftoppm, ink must be where a bar stands and nowhere above
an empty month; PDF and SVG are deterministic and use only the embedded DejaVu Sans."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PIL import Image

from print import charts
from print.annual_report import AnnualReport, ChartWithTable, ReportTable, render_annual_report

from .pdfcheck import all_text, font_report

VALUES = (0, 3, 5.5, 0, 10, 2, 0, 0, 1, 2, 3, 12)
LABELS = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")


def _render(pdf: bytes, tmp_path, dpi: int = 72) -> Image.Image:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (Debian package poppler-utils)")
    source = tmp_path / "chart.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(source), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    return Image.open(tmp_path / "page.png").convert("RGB")


def _is_bar(pixel: tuple[int, int, int]) -> bool:
    red, green, blue = pixel
    return blue > 100 and red < 100 and blue - red > 60


def test_there_is_ink_where_each_bar_stands_and_none_above_an_empty_month(tmp_path):
    chart = charts.Chart("stunden", "Getauschte Stunden je Monat", "bar", LABELS, VALUES, "Stunden")
    image = _render(charts.chart_pdf(chart), tmp_path)
    assert image.size == (int(charts.WIDTH), int(charts.HEIGHT))
    base = charts.HEIGHT - charts.PLOT_Y  # image rows count from the top
    for index, value in enumerate(VALUES):
        left, right = charts.bar_slot(chart, index)
        middle = int((left + right) / 2)
        if value:
            top = charts.value_height(chart, value)
            for fraction in (0.15, 0.5, 0.85):
                y = int(base - top * fraction)
                assert _is_bar(image.getpixel((middle, y))), f"no bar ink for {LABELS[index]} at y={y}"
            above = int(base - top - 4)
            assert not _is_bar(image.getpixel((middle, above))), f"bar {LABELS[index]} is too high"
        else:
            for y in range(int(base - charts.PLOT_HEIGHT), int(base - 2)):
                assert not _is_bar(image.getpixel((middle, y))), f"ink above the empty month {LABELS[index]}"
    # The tallest bar (December) reaches higher than the one of May, as 12 > 10.
    assert charts.value_height(chart, 12) > charts.value_height(chart, 10)


def test_a_line_chart_has_ink_on_its_line(tmp_path):
    chart = charts.Chart("aktive", "Aktive Mitglieder", "line", LABELS, VALUES)
    image = _render(charts.chart_pdf(chart), tmp_path)
    base = charts.HEIGHT - charts.PLOT_Y
    slot = charts.PLOT_WIDTH / len(VALUES)
    for index, value in enumerate(VALUES):
        x = int(charts.PLOT_X + slot * (index + 0.5))
        y = int(base - charts.value_height(chart, value))
        window = [image.getpixel((x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-2, -1, 0, 1, 2)]
        assert any(r > 150 and g < 120 and b < 90 for r, g, b in window), f"no line at {LABELS[index]}"


def test_charts_are_deterministic_and_embed_only_dejavu():
    chart = charts.Chart("stunden", "Stunden <b>&", "bar", LABELS, VALUES, "Stunden")
    pdf = charts.chart_pdf(chart)
    assert pdf == charts.chart_pdf(chart)
    fonts, problems = font_report(pdf)
    assert not problems and all("DejaVu" in font for font in fonts)
    svg = charts.chart_svg(chart)
    assert svg == charts.chart_svg(chart)
    assert svg.startswith("<svg") and "<script" not in svg
    # a Content-Security-Policy with style-src 'self' would block style attributes
    assert "style=" not in svg and 'fill="rgb(' in svg
    assert "Stunden &lt;b&gt;&amp;" in svg  # text is escaped, never markup


def _report() -> AnnualReport:
    chart = charts.Chart("stunden", "Getauschte Stunden je Monat", "bar", LABELS, VALUES, "Stunden")
    return AnnualReport(
        ring_name="Tauschring <Lindenau>",
        title="Jahresbericht 2026",
        period="1. Januar bis 31. Dezember 2026",
        created="erstellt am 4. Januar 2027",
        facts=[("Getauschte Stunden", "38:30 Std."), ("Tausche", "17")],
        charts=[
            ChartWithTable(
                chart, ReportTable(chart.title, ("Monat", "Stunden"), [("Januar 2026", "0:00 Std.")])
            )
        ],
        tables=[ReportTable("Die zehn meistgenutzten Rubriken", ("Rubrik", "Inserate"), [("Garten", "4")])],
        closing=["Fingerabdruck des Abschlusses (SHA-256): " + "ab" * 32],
    )


def test_the_annual_report_is_deterministic_with_every_figure_and_the_chart_inked(tmp_path):
    pdf = render_annual_report(_report())
    assert pdf == render_annual_report(_report())
    text = all_text(pdf)
    for expected in (
        "Jahresbericht 2026",
        "Tauschring <Lindenau>",
        "38:30 Std.",
        "Garten",
        "ab" * 32,
        "Seite 1 von",
    ):
        assert expected in text
    fonts, problems = font_report(pdf)
    assert not problems and all("DejaVu" in font for font in fonts)
    image = _render(pdf, tmp_path, dpi=50)
    width, height = image.size
    inked = sum(1 for x in range(0, width, 2) for y in range(0, height, 2) if _is_bar(image.getpixel((x, y))))
    assert inked > 50, "no bars on the first page"
