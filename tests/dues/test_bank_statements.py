"""Statement files (tests/data/) read into credit lines, each stored once per account, and bad
files refused whole with a French message."""

import datetime
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from dues.bank_formats import StatementRefused
from dues.models import BankCsvLayout, BankLine, BankStatement
from dues.services.statements import CsvLayoutNeeded, import_statement
from members.models import AuditEntry
from tests.helpers import COLLECTIVE_IBAN, camt053, data_file

pytestmark = pytest.mark.django_db

CAMT_V02 = "camt053_v02_credit_cooperatif.xml"
CAMT_V08 = "camt053_v08_credit_cooperatif.xml"
OFX_V1 = "ofx102_credit_mutuel.ofx"
OFX_V2 = "ofx220_la_banque_postale.ofx"
CSV_DEBIT_CREDIT = "csv_date_libelle_debit_credit.csv"
CSV_SIGNED = "csv_date_operation_valeur_libelle_montant.csv"


def load(name, **kwargs):
    return import_statement(data=data_file(name), file_name=name, actor=None, **kwargs)


def amounts():
    return sorted(BankLine.objects.values_list("amount", flat=True))


def layout_from_guess(needed, **changes):
    return BankCsvLayout(**{**needed.guess, **changes})


def test_a_camt053_v02_statement_gives_its_booked_credits(cac):
    result = load(CAMT_V02)
    assert (result.read, result.added, result.debits) == (7, 7, 2)
    statement = result.statement
    assert statement.format == "camt053"
    assert statement.account_iban == COLLECTIVE_IBAN
    assert (statement.period_start, statement.period_end) == (
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 15),
    )
    # The pending 35 € entry is not there, the batch of 45 € is two transfers.
    assert amounts() == [Decimal(a) for a in ("20", "25", "50", "50", "100", "130", "1500")]
    lea = BankLine.objects.get(bank_reference="CC2026030200001")
    assert lea.booking_date == datetime.date(2026, 3, 2)
    assert lea.counterparty_name == "DURAND LEA"
    assert lea.counterparty_iban == "FR7630003036200002012345673"
    assert "RF35CAC000101A2026" in lea.label
    assert lea.account == COLLECTIVE_IBAN
    helene = BankLine.objects.get(bank_reference="CC2026031000005-2")
    assert (helene.amount, helene.counterparty_name) == (Decimal("20.00"), "M OU MME GARCON HELENE")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.STATEMENT_IMPORTED)
    assert entry.after["added"] == 7


def test_a_camt053_v08_statement_is_read_the_same_way(cac):
    result = load(CAMT_V08)
    assert (result.read, result.added, result.debits) == (7, 7, 1)
    adq = BankLine.objects.get(bank_reference="CC2026031800011")
    assert adq.counterparty_name == "ASSOCIATION LES AMIS DU QUARTIER"
    assert adq.label == "RF32CAC000103A2026"
    assert BankLine.objects.get(amount=80).label == "cotisation rf26 cac0 0010 7a20 26 merci"


def test_importing_the_same_statement_again_adds_nothing(cac):
    load(CAMT_V02)
    again = load(CAMT_V02)
    assert (again.read, again.added, again.known) == (7, 0, 7)
    assert again.statement is None
    assert BankLine.objects.count() == 7
    assert BankStatement.objects.count() == 1


def test_an_overlapping_statement_adds_only_its_new_lines(cac):
    load(CAMT_V02)  # 1 to 15 March
    overlap = load(CAMT_V08)  # 10 to 31 March, in the newer version of the format
    assert (overlap.read, overlap.added) == (7, 3)
    assert BankLine.objects.count() == 10
    assert sorted(overlap.statement.lines.values_list("amount", flat=True)) == [
        Decimal("50.00"),
        Decimal("80.00"),
        Decimal("150.00"),
    ]


def test_an_ofx_1_statement_in_sgml_and_windows_1252(cac):
    result = load(OFX_V1, account_iban="FR7610278060760002065432163")
    assert (result.read, result.added, result.debits) == (3, 3, 1)
    assert result.statement.format == "ofx"
    # The file names no IBAN: the one given on the form is the account's.
    assert result.statement.account_iban == "FR7610278060760002065432163"
    helene = BankLine.objects.get(bank_reference="CM2026030900003")
    assert helene.amount == Decimal("20.00")  # written "20,00"
    assert helene.label == "VIR GARÇON HÉLÈNE / COTIS 2026"
    assert load(OFX_V1, account_iban="FR7610278060760002065432163").added == 0


def test_an_ofx_2_statement_in_xml(cac):
    result = load(OFX_V2)
    assert (result.read, result.added, result.debits) == (1, 1, 1)
    line = BankLine.objects.get()
    assert (line.amount, line.booking_date) == (Decimal("100.00"), datetime.date(2026, 4, 1))
    assert line.account == "20041 01005 0500013M026"  # no IBAN given: the file's account
    assert "CAC-000102" in line.label


def test_a_csv_layout_is_told_once_then_recognised(cac):
    with pytest.raises(CsvLayoutNeeded) as needed:
        load(CSV_DEBIT_CREDIT)
    assert needed.value.table.header == ["Date", "Libellé", "Débit", "Crédit"]
    assert needed.value.guess == {
        "date_column": "Date",
        "label_column": "Libellé",
        "debit_column": "Débit",
        "credit_column": "Crédit",
    }
    assert BankLine.objects.count() == 0
    layout = layout_from_guess(needed.value, bank_name="Crédit Agricole")
    result = load(CSV_DEBIT_CREDIT, layout=layout, account_iban=COLLECTIVE_IBAN)
    assert (result.read, result.added, result.debits) == (6, 6, 2)
    # Two equal transfers on one day stay two lines.
    assert BankLine.objects.filter(amount=50, booking_date=datetime.date(2026, 3, 14)).count() == 2
    assert BankLine.objects.get(amount=1500).label == "VIR VILLE DE PARIS SUBVENTION"
    saved = BankCsvLayout.objects.get()
    assert (saved.bank_name, saved.credit_column, saved.delimiter) == (
        "Crédit Agricole",
        "Crédit",
        ";",
    )
    # Next month, the same bank's file is read without asking.
    assert load(CSV_DEBIT_CREDIT, account_iban=COLLECTIVE_IBAN).added == 0


def test_a_csv_with_one_signed_amount_and_a_value_date(cac):
    with pytest.raises(CsvLayoutNeeded) as needed:
        load(CSV_SIGNED)
    result = load(CSV_SIGNED, layout=layout_from_guess(needed.value))
    assert (result.read, result.debits) == (4, 1)
    leroy = BankLine.objects.get(amount=80)
    assert leroy.booking_date == datetime.date(2026, 3, 24)
    adq = BankLine.objects.get(amount=150)
    assert adq.value_date == datetime.date(2026, 3, 19)


def test_an_overlapping_csv_export_adds_only_its_new_lines(cac):
    with pytest.raises(CsvLayoutNeeded) as needed:
        load(CSV_DEBIT_CREDIT)
    load(CSV_DEBIT_CREDIT, layout=layout_from_guess(needed.value))
    later = (
        "Date;Libellé;Débit;Crédit\r\n"
        "14/03/2026;VIR SEPA MME JEANNE MOREAU;;50,00\r\n"
        "14/03/2026;VIR SEPA MME JEANNE MOREAU;;50,00\r\n"
        "20/03/2026;PRLV SEPA EDF;230,00;\r\n"
        "28/03/2026;VIR SEPA M MARC PETIT;;50,00\r\n"
    ).encode("cp1252")
    result = import_statement(data=later, file_name="avril.csv", actor=None)
    assert (result.read, result.added) == (3, 1)
    assert BankLine.objects.count() == 7


def test_a_csv_whose_columns_do_not_map_is_refused_and_nothing_is_kept(cac):
    with pytest.raises(CsvLayoutNeeded) as needed:
        load(CSV_DEBIT_CREDIT)
    wrong = layout_from_guess(needed.value, credit_column="Libellé")
    with pytest.raises(StatementRefused) as refused:
        load(CSV_DEBIT_CREDIT, layout=wrong)
    assert refused.value.messages == [
        "Ligne 6 : la colonne « Libellé » devrait contenir un montant, elle contient "
        "« VIR SEPA DURAND LEA RF35CAC000101A2026 »."
    ]
    assert BankLine.objects.count() == BankStatement.objects.count() == 0
    assert not BankCsvLayout.objects.exists()


def test_a_saved_layout_that_no_longer_reads_the_file_refuses_it(cac):
    with pytest.raises(CsvLayoutNeeded) as needed:
        load(CSV_SIGNED)
    BankCsvLayout.objects.create(
        signature=needed.value.table.signature,
        header=needed.value.table.header,
        delimiter=";",
        date_column="Libellé",
        label_column="Libellé",
        amount_column="Montant",
    )
    with pytest.raises(StatementRefused, match="devrait contenir une date"):
        load(CSV_SIGNED)
    assert not BankLine.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (data_file(CAMT_V02)[:3000], "Ce fichier XML est incomplet ou mal formé"),
        (
            data_file(CAMT_V02).replace(b"camt.053.001.02", b"camt.052.001.02"),
            "n'est pas un relevé CAMT.053 des versions 001.02 à 001.08",
        ),
        (
            data_file(CAMT_V08).replace(b"camt.053.001.08", b"camt.053.001.09"),
            "n'est pas un relevé CAMT.053 des versions 001.02 à 001.08",
        ),
        (data_file(OFX_V1)[:700], "Ce fichier OFX est illisible"),
        (b"", "Ce fichier est vide."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "ni un OFX, ni un CSV lisible"),
        (
            camt053([{"day": datetime.date(2026, 3, 2), "amount": "50.001", "ref": "X"}]),
            "Montant illisible",
        ),
        (
            data_file(CAMT_V08).replace(b'Ccy="EUR">80.00', b'Ccy="CHF">80.00'),
            "Ce relevé est en CHF",
        ),
    ],
    ids=["truncated", "camt052", "camt053v09", "truncated-ofx", "empty", "png", "mills", "chf"],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_imported(cac, data, message):
    with pytest.raises(StatementRefused) as refused:
        import_statement(data=data, file_name="releve", actor=None)
    assert message in refused.value.messages[0]
    assert BankLine.objects.count() == BankStatement.objects.count() == 0


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Document [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<BookgDt><Dt>2026-03-02</Dt></BookgDt><AddtlNtryInf>&lol9;</AddtlNtryInf></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_an_xml_entity_bomb_is_refused_without_being_expanded(cac):
    with pytest.raises(StatementRefused, match="déclare un DOCTYPE"):
        import_statement(data=BILLION_LAUGHS, file_name="bombe.xml", actor=None)
    assert not BankLine.objects.exists()


class _Recorder(BaseHTTPRequestHandler):
    hits = []

    def do_GET(self):  # noqa: N802  (the name http.server calls)
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"SECRET-FROM-THE-NETWORK")

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A local web server that records every request: an external entity must not reach it."""
    _Recorder.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Recorder.hits
    server.shutdown()
    server.server_close()


def _with_doctype(doctype, text):
    return (
        f'<?xml version="1.0"?>\n{doctype}\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        '<Stmt><Ntry><Amt Ccy="EUR">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
        f"<BookgDt><Dt>2026-03-02</Dt></BookgDt><AddtlNtryInf>{text}</AddtlNtryInf>"
        "</Ntry></Stmt></BkToCstmrStmt></Document>"
    ).encode()


def test_an_external_entity_is_never_fetched(cac, listener, tmp_path):
    url, hits = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FROM-THE-DISK")
    attempts = [
        _with_doctype(f'<!DOCTYPE Document [<!ENTITY x SYSTEM "{url}/entity">]>', "&x;"),
        _with_doctype(f'<!DOCTYPE Document [<!ENTITY x SYSTEM "file://{secret}">]>', "&x;"),
        _with_doctype(f'<!DOCTYPE Document [<!ENTITY % p SYSTEM "{url}/dtd"> %p;]>', "x"),
        _with_doctype(f'<!DOCTYPE Document SYSTEM "{url}/external.dtd">', "x"),
    ]
    for data in attempts:
        with pytest.raises(StatementRefused):
            import_statement(data=data, file_name="xxe.xml", actor=None)
    assert hits == []
    assert not BankLine.objects.exists()
