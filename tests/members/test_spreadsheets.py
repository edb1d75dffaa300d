"""The one CSV writer: French Excel conventions, and no formula a spreadsheet would run."""

import csv
import datetime
import io
from decimal import Decimal

from members import spreadsheets


def read(text):
    assert text.startswith("\ufeff"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_formulas_are_neutralised_and_numbers_keep_their_sign():
    text = "".join(
        spreadsheets.lines(
            ["donateur", "montant", "date", "fiscal"],
            [
                ['=HYPERLINK("http://evil.example","clic")', Decimal("-50"), None, True],
                ["+33 1 23 45 67 89", Decimal("1234.5"), datetime.date(2026, 1, 15), False],
                ["@SUM(A1:A9)", 3, None, None],
                ["-2+3", Decimal("0"), None, None],
                ["\tcaché", Decimal("0.1"), None, None],
                ["\rretour", Decimal("10"), None, None],
                ["Léa Durand", Decimal("10"), None, None],
            ],
        )
    )
    rows = read(text)
    assert rows[0] == ["donateur", "montant", "date", "fiscal"]
    assert rows[1] == ['\'=HYPERLINK("http://evil.example","clic")', "-50,00", "", "oui"]
    assert rows[2] == ["'+33 1 23 45 67 89", "1234,50", "2026-01-15", "non"]
    assert rows[3][0] == "'@SUM(A1:A9)" and rows[3][1] == "3"
    assert rows[4][0] == "'-2+3"
    assert rows[5][0] == "'\tcaché"
    assert rows[6][0] == "'\rretour"
    assert rows[7] == ["Léa Durand", "10,00", "", ""]
    assert "\r\n" in text and ";" in text


def test_the_download_is_streamed_with_its_name():
    response = spreadsheets.response("registre.csv", ["a"], ([n] for n in range(3)))
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="registre.csv"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert read(body) == [["a"], ["0"], ["1"], ["2"]]
