"""The desk's PDFs (slips, the annual report) draw the images they carry inline (`data:` URLs)
and fetch nothing else: no remote address, no file of the server."""

import base64
import io
import socket
import zlib

from pypdf import PdfReader

from dues import pdf


def png_pixel():
    """The smallest PNG: one red pixel."""

    def chunk(kind, data):
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_data_images_are_drawn_and_nothing_else_is_fetched(monkeypatch, tmp_path):
    inline = "data:image/png;base64," + base64.b64encode(png_pixel()).decode()
    local = tmp_path / "secret.png"
    local.write_bytes(png_pixel())
    html = (
        f'<p>Bordereau</p><img src="{inline}" width="20">'
        f'<img src="http://127.0.0.1:9/remote.png" width="20">'
        f'<img src="file://{local}" width="20">'
    )
    monkeypatch.setattr(pdf, "render_to_string", lambda name, context: html)
    connections = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: connections.append(address))

    data = pdf.render_pdf("any.html", {})

    page = PdfReader(io.BytesIO(data)).pages[0]
    assert "Bordereau" in page.extract_text()
    assert len(page.images) == 1, "the inline image only"
    assert connections == []
