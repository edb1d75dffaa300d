"""WeasyPrint for every document of the portal (deposit slips here, receipts above): installed
DejaVu fonts, and nothing fetched from the disk or the network.

One URL fetcher and one font configuration per process, shared by slips and receipts
(`receipts.services.rendering` imports them): building the font configuration scans the fonts,
and a single fetcher is a single place to say what a document may load.
"""

from functools import lru_cache

from django.template.loader import render_to_string


@lru_cache(maxsize=1)
def font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=1)
def url_fetcher():
    """`data:` URLs only (images inlined by the template): a `file:` or `http:` URL in a
    document is refused, so a document renders offline and shows no file of the server."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


def html_to_pdf(html, *, stylesheets=(), **options):
    """The PDF bytes of an HTML string, with the shared fetcher and fonts; `options` go to
    WeasyPrint's `write_pdf` (e.g. `pdf_variant`)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=url_fetcher()).write_pdf(
        stylesheets=list(stylesheets), font_config=font_config(), **options
    )


def render_pdf(template_name, context):
    """The PDF bytes of a Django template rendered as HTML."""
    return html_to_pdf(render_to_string(template_name, context))
