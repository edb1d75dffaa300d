"""Slips and receipts render their PDFs with one URL fetcher that takes `data:` URLs only: a
document fetches nothing from the disk or the network, whatever its HTML says."""

import base64
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from dues.pdf import render_pdf as render_slip_template
from receipts.services.rendering import html_to_pdf as render_receipt_html


def _png(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _images(pdf):
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def html(tmp_path):
    """A page with an image on the disk (file:) and the same kind of image inline (data:)."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(_png("red"))
    inline = base64.b64encode(_png("blue")).decode()
    return (
        "<html><body><p>Bordereau</p>"
        f'<img src="file://{secret}" alt="disque">'
        '<img src="file:///etc/passwd" alt="mots de passe">'
        '<img src="http://127.0.0.1:9/pixel.png" alt="réseau">'
        f'<img src="data:image/png;base64,{inline}" alt="en ligne">'
        "</body></html>"
    )


def test_a_slip_takes_its_inline_image_and_fetches_no_file(html, tmp_path, settings):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "fetch_test.html").write_text(html)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [templates]}]
    assert _images(render_slip_template("fetch_test.html", {})) == 1


def test_a_receipt_takes_its_inline_image_and_fetches_no_file(html):
    assert _images(render_receipt_html(html)) == 1


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/", "ftp://x/y"])
def test_the_shared_fetcher_refuses_anything_but_data(url):
    from dues.pdf import url_fetcher

    with pytest.raises(ValueError, match="disallowed protocol"):
        url_fetcher().fetch(url)
