"""Reading an uploaded spreadsheet (CSV or XLSX) into a `tablib.Dataset`, or a clear refusal.

Nothing a person uploads may hang or exhaust the server: the size is checked before anything
is read; an XLSX is inspected as a zip first (its uncompressed size and compression ratio, so
a "zip bomb" is refused unread), then read by openpyxl (through defusedxml) row by row with a
bounded number of rows and columns, whatever the sheet claims its dimensions are (tablib's own
XLSX loader trusts them). A CSV is decoded as UTF-8, or as Windows-1252 (what Excel writes in
France) when it is not, and its separator guessed among ";", "," and tab.
"""

import csv
import datetime
import io
import zipfile

import tablib
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_COLUMNS = 60
# What a real sheet of a few thousand members decompresses to is a few megabytes.
MAX_UNCOMPRESSED = 100 * 2**20
MAX_RATIO = 100
MAX_ZIP_ENTRIES = 500
SEPARATORS = ";,\t"
# Characters no text file holds (NUL and the other C0 controls but tab, CR, LF).
CONTROL = {chr(code) for code in range(32)} - {"\t", "\r", "\n"}


class BadFile(Exception):
    """The file cannot be read as a table of members; the message says why, in French."""


def max_lines():
    return settings.MEMBER_IMPORT_MAX_LINES


def read_table(data, filename=""):
    """The file's first sheet as a Dataset whose headers are its first line's cells."""
    if not data or not data.strip():
        raise BadFile(_("Le fichier est vide."))
    if data.startswith(b"PK\x03\x04"):
        table, encoding = _read_xlsx(data), "xlsx"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadFile(
            _(
                "Ce fichier est au format Excel 97-2003 (.xls) : enregistrez-le au format "
                ".xlsx ou CSV, puis déposez-le à nouveau."
            )
        )
    else:
        text, encoding = _decode(data)
        table = _read_csv(text)
    if not any(str(header or "").strip() for header in table.headers or []):
        raise BadFile(_("La première ligne doit donner le nom des colonnes (Nom, Prénom…)."))
    if not table.height:
        raise BadFile(_("Le fichier ne contient aucune ligne sous l'en-tête."))
    table.title = encoding
    return table


def _decode(data):
    """The text of a CSV and the encoding it was read in."""
    for bom, encoding in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding), "utf-16"
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "windows-1252"
        except UnicodeDecodeError:
            text, encoding = None, None
    if text is None or CONTROL.intersection(text):
        raise BadFile(
            _(
                "Ce fichier n'est pas un tableau lisible : déposez un fichier .xlsx, ou un CSV "
                "enregistré depuis votre tableur (« CSV UTF-8 » de préférence)."
            )
        )
    return text, encoding


def _separator(text):
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        first = text.splitlines()[0] if text.splitlines() else ""
        return max(SEPARATORS, key=first.count)


def _read_csv(text):
    if len(text.splitlines()) > max_lines() + 1:
        raise _too_long()
    table = tablib.Dataset()
    try:
        table.load(text, format="csv", delimiter=_separator(text))
    except tablib.InvalidDimensions:
        raise BadFile(
            _(
                "Une ligne a plus de cellules que l'en-tête : vérifiez le séparateur (;) et "
                "les guillemets du fichier."
            )
        ) from None
    except csv.Error as error:
        raise BadFile(_("Ce fichier CSV est mal formé (%(error)s).") % {"error": error}) from None
    return table


def _too_long():
    return BadFile(
        _("Le fichier dépasse %(count)s lignes : découpez-le en plusieurs fichiers.")
        % {"count": max_lines()}
    )


def _check_zip(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise BadFile(_("Ce fichier .xlsx est endommagé ou n'en est pas un.")) from None
    uncompressed = sum(entry.file_size for entry in entries)
    ratio = max((entry.file_size / max(entry.compress_size, 1) for entry in entries), default=0)
    if len(entries) > MAX_ZIP_ENTRIES or uncompressed > MAX_UNCOMPRESSED or ratio > MAX_RATIO:
        raise BadFile(_("Ce fichier .xlsx se décompresse en un volume anormal : il est refusé."))


def _cell(value):
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time() else value
    return "" if value is None else value


def _rows(sheet):
    """The sheet's non-empty rows, at most MAX_COLUMNS wide, trailing empty cells dropped;
    `max_lines` + 1 rows at most are read (empty rows count, so gaps cannot stall us)."""
    rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    for read, values in enumerate(rows, start=1):
        if read > 2 * max_lines() + 1:
            raise _too_long()
        row = [_cell(value) for value in values]
        while row and row[-1] == "":
            row.pop()
        if row:
            yield row


def _read_xlsx(data):
    _check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        # openpyxl raises whatever its parsers raise on a damaged file (KeyError, XML errors).
        raise BadFile(_("Ce fichier .xlsx est endommagé ou n'en est pas un.")) from None
    try:
        sheet = workbook.active
        sheet.reset_dimensions()
        rows = list(_rows(sheet))
    except BadFile:
        raise
    except Exception:
        raise BadFile(_("Ce fichier .xlsx est endommagé ou n'en est pas un.")) from None
    finally:
        workbook.close()
    if len(rows) > max_lines() + 1:
        raise _too_long()
    if not rows:
        raise BadFile(_("Le fichier est vide."))
    width = max(len(row) for row in rows)
    headers = [str(value).strip() for value in rows[0]] + [""] * (width - len(rows[0]))
    return tablib.Dataset(*[row + [""] * (width - len(row)) for row in rows[1:]], headers=headers)
