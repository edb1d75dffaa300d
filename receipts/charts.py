"""Charts drawn on the server as SVG by pygal: no JavaScript, no CDN, nothing fetched.

pygal's SVG carries an inline `<script>` (its configuration) and `<style>`, which the portal's
Content-Security-Policy refuses, and a tooltip layer that only its script would use: they are
taken out, and `static/css/charts.css` styles the chart instead, linked by the page and copied
into the SVG of the PDF report. Each chart is labelled by its title for screen readers; the
page shows its figures in a table beside it.
"""

import base64
import itertools
from functools import lru_cache

import pygal
import pygal.style
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from lxml import etree

from charter.templatetags.money import format_euros

STYLESHEET = settings.BASE_DIR / "static" / "css" / "charts.css"
SVG = "http://www.w3.org/2000/svg"
# pygal's own layers and attributes that only its script reads.
UNUSED_LAYERS = ("tooltip-overlay",)
_ids = itertools.count(1)


@lru_cache(maxsize=1)
def _stylesheet():
    return STYLESHEET.read_text()


def _euros(value):
    return format_euros(value, 0) if value is not None else ""


# The sizes charts.css gives the texts, so that pygal lays the chart out for them.
STYLE = pygal.style.Style(
    font_family='"DejaVu Sans", sans-serif',
    title_font_size=18,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    value_font_size=12,
    no_data_font_size=32,
)


def _config(title, **extra):
    return pygal.Config(
        title=title,
        style=STYLE,
        js=[],
        css=[],
        disable_xml_declaration=True,
        no_prefix=True,
        width=800,
        height=420,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        truncate_legend=-1,
        truncate_label=-1,
        print_values=False,
        show_minor_y_labels=True,
        no_data_text=_("Aucune donnée"),
        **extra,
    )


def _clean(svg, title):
    """The SVG without pygal's script, style, tooltip layer and ids (two charts on a page
    would repeat them), labelled for screen readers."""
    root = etree.fromstring(svg.encode("utf-8"))
    doomed = [
        element
        for element in root.iter()
        if not isinstance(element.tag, str)  # comments
        or element.tag in (f"{{{SVG}}}script", f"{{{SVG}}}style")
        or any(layer in element.get("class", "").split() for layer in UNUSED_LAYERS)
    ]
    for element in doomed:
        element.getparent().remove(element)
    for element in root.iter():
        if isinstance(element.tag, str) and "id" in element.attrib:
            del element.attrib["id"]
    root.set("id", f"chart-{next(_ids)}")
    root.set("role", "img")
    root.set("aria-label", title)
    return etree.tostring(root, encoding="unicode")


def stacked_bars(title, x_labels, series):
    """A stacked bar chart of `series` ([(label, values)]) over `x_labels`, as SVG text.

    Amounts are drawn from floats (a bar's height needs no cent); the tables beside the
    charts give the exact Decimal amounts."""
    chart = pygal.StackedBar(_config(title, value_formatter=_euros))
    chart.x_labels = [str(label) for label in x_labels]
    for label, values in series:
        chart.add(str(label), [float(value) if value is not None else None for value in values])
    return _clean(chart.render(is_unicode=True), str(title))


def counted_bars(title, x_labels, series):
    """The same for counts (members), with whole numbers on the axis."""
    chart = pygal.StackedBar(_config(title, value_formatter=lambda value: f"{value:.0f}"))
    chart.x_labels = [str(label) for label in x_labels]
    for label, values in series:
        chart.add(str(label), list(values))
    return _clean(chart.render(is_unicode=True), str(title))


def inline(svg):
    """The SVG to write into a page as is (styled by charts.css, which the page links)."""
    # Built above from our own figures; lxml escaped every text in it.
    return mark_safe(svg)


def data_uri(svg):
    """The SVG with charts.css inside, as a `data:` URL for an `<img>` of the PDF report
    (WeasyPrint fetches nothing else)."""
    root = etree.fromstring(svg.encode("utf-8"))
    style = etree.Element(f"{{{SVG}}}style")
    style.text = _stylesheet()
    root.insert(0, style)
    encoded = base64.b64encode(etree.tostring(root, encoding="utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
