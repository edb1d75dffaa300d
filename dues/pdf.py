"""WeasyPrint for the desk's documents: installed DejaVu fonts, images carried inline (`data:`
URLs), and nothing fetched: no remote address, no file of the server."""

from functools import lru_cache

from django.template.loader import render_to_string


@lru_cache(maxsize=1)
def _font_config():
    # One FontConfiguration for the life of the process: building it scans the fonts.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=1)
def _url_fetcher():
    # WeasyPrint refuses (and leaves out) any other scheme: a document renders offline, leaks
    # no visitor and reads no file it was not given.
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def render_pdf(template_name, context):
    """The PDF bytes of a Django template rendered as HTML."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=_url_fetcher()).write_pdf(font_config=_font_config())
