"""WeasyPrint for the desk's documents: installed DejaVu fonts, and nothing fetched remotely."""

from functools import lru_cache

from django.template.loader import render_to_string
from django.utils.translation import gettext as _


@lru_cache(maxsize=1)
def _font_config():
    # One FontConfiguration for the life of the process: building it scans the fonts.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _local_only(url, *args, **kwargs):
    """A URL fetcher that refuses the network: a document must render offline, leak nothing."""
    from weasyprint import default_url_fetcher

    if not url.startswith(("file:", "data:")):
        raise ValueError(_("Adresse distante refusée dans un PDF : %(url)s") % {"url": url})
    return default_url_fetcher(url, *args, **kwargs)


def render_pdf(template_name, context):
    """The PDF bytes of a Django template rendered as HTML."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=_local_only).write_pdf(font_config=_font_config())
