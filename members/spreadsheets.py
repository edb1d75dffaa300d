"""The project's one CSV writer: what a French accountant's spreadsheet expects, and nothing a
spreadsheet would run.

- French Excel conventions: UTF-8 with a byte-order mark (else Excel reads Latin-1), ";" between
  cells, a decimal comma, lines ended by CRLF.
- Formula injection neutralised: a text cell starting with "=", "+", "-", "@", a tab or a
  carriage return gets a leading "'", so that a donor named `=HYPERLINK(...)` stays a name.
  Numbers and dates are written by us, never as text a person typed, so they keep their sign.
- Rows are streamed: an export of 100 000 rows never sits whole in memory.
"""

import csv
import datetime
from decimal import Decimal

from django.http import StreamingHttpResponse

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """One value as the spreadsheet should read it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal | int | float):
        return (
            f"{Decimal(value):.2f}".replace(".", ",") if isinstance(value, Decimal) else str(value)
        )
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like that hands back what csv.writer wrote (one line at a time)."""

    def write(self, text):
        return text


def lines(header, rows):
    """The CSV text, line by line: the byte-order mark and the header first."""
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield BOM + writer.writerow([cell(value) for value in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def write(stream, header, rows):
    """Write the CSV to an open text stream (a file, a command's stdout)."""
    for line in lines(header, rows):
        stream.write(line)


def response(filename, header, rows):
    """The CSV as a streamed download named `filename`."""
    streamed = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines(header, rows)),
        content_type="text/csv; charset=utf-8",
    )
    streamed["Content-Disposition"] = f'attachment; filename="{filename}"'
    streamed["Cache-Control"] = "private, no-store"
    return streamed
