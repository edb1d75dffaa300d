"""The import of existing members: columns recognised from French headers, a preview with each
line's errors from the forms' own rules, nothing written before confirming, idempotent,
completing existing members without overwriting them, past payments that never get a receipt,
and every bad file refused with a clear message."""

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dues.importing.columns import guess_mapping
from dues.models import MemberImport, Payment, private_storage
from dues.services import imports
from dues.views.lists import filter_members
from members.models import AuditEntry, Member
from receipts.models import Receipt
from receipts.services.dashboard import figures
from receipts.services.sweep import sweep
from tests import clock
from tests.factories import IndividualFactory, OrganisationFactory
from tests.helpers import csv_rows, text

pytestmark = pytest.mark.django_db
YEAR = clock.YEAR

HEADER = ["Nom", "Prénom", "Structure", "Sigle", "Adresse", "Code postal", "Ville", "Courriel",
          "Téléphone", "Type"]  # fmt: skip
GOOD = [
    ["Durand", "Léa", "", "", "5 rue Oberkampf", "75011", "Paris", "lea@example.org",
     "01 23 45 67 89", "personne physique"],
    ["", "", "Les Amis du Canal", "LAC", "3 quai de Jemmapes", "75010", "Paris",
     "contact@canal.example.org", "0142000000", "personne morale"],
    ["Roy", "Inès", "", "", "1 place du Marché", "69001", "Lyon", "", "", ""],
]  # fmt: skip


def csv_file(rows, header=HEADER, separator=";", encoding="utf-8-sig"):
    lines = [separator.join(header)] + [separator.join(row) for row in rows]
    return "\r\n".join(lines).encode(encoding)


def upload(client, data, name="membres.csv"):
    return client.post(reverse("dues:import_upload"), {"file": SimpleUploadedFile(name, data)})


def uploaded(client, data, name="membres.csv"):
    response = upload(client, data, name)
    assert response.status_code == 302, text(response)[-3000:]
    return MemberImport.objects.latest("created_at")


def confirm(client, member_import):
    response = client.post(
        reverse("dues:import_detail", args=[member_import.code]), {"action": "confirm"}
    )
    assert response.status_code == 302
    member_import.refresh_from_db()
    return member_import


def test_columns_are_recognised_from_french_headers_whatever_their_accents_and_case():
    headers = ["NOM", "prénom", "Structure", "SIGLE", "code_postal", "Ville ", "E-mail",
               "Tél. mobile", "Courriel", "Année", "Date du versement", "Montant (€)",
               "Mode de paiement", "Remarques"]  # fmt: skip
    assert guess_mapping(headers) == [
        "last_name", "first_name", "name", "acronym", "postal_code", "city", "email",
        "phone_mobile", "", "payment_year", "payment_date", "payment_amount",
        "payment_method", "",
    ]  # fmt: skip


def test_the_preview_shows_each_line_and_its_errors_and_writes_nothing(staff_client, cac):
    rows = [
        *GOOD,
        ["Petit", "Jean", "", "", "2 rue Haute", "7501", "Paris", "jean@example", "12", ""],
        ["", "", "", "", "1 rue Basse", "13001", "Marseille", "x@example.org", "", "morale"],
    ]
    member_import = uploaded(staff_client, csv_file(rows))
    assert member_import.status == "preview"
    assert member_import.mapping[:3] == ["last_name", "first_name", "name"]
    assert not Member.objects.exists(), "nothing is written before the confirmation"

    response = staff_client.get(reverse("dues:import_detail", args=[member_import.code]))
    body = text(response)
    assert "3 fiches à créer" in body and "2 lignes en erreur" in body
    # The forms' own words, next to the line.
    assert "Code postal : Saisissez un code postal français valide" in body
    assert "E-mail : Saisissez une adresse e-mail valide." in body
    assert "Téléphone" not in member_import.result["preview"]["problems"][0]["errors"][0]
    assert "Tél. domicile : Saisissez un numéro de téléphone valide" in body
    assert "Nom de votre structure : Ce champ est obligatoire." in body
    problems = member_import.result["preview"]["problems"]
    assert [problem["line"] for problem in problems] == [5, 6]
    assert "Importer les 3 lignes valides" in body
    assert not Member.objects.exists()


def test_confirming_imports_the_good_lines_in_one_go(
    staff_client, staff_user, cac, django_capture_on_commit_callbacks
):
    rows = [*GOOD, ["Petit", "Jean", "", "", "2 rue Haute", "7501", "Paris", "", "", ""]]
    member_import = uploaded(staff_client, csv_file(rows))
    stored = member_import.file.name
    assert private_storage().exists(stored), "kept between the preview and the confirmation"
    with django_capture_on_commit_callbacks(execute=True):
        member_import = confirm(staff_client, member_import)
    assert member_import.status == "done"
    assert member_import.result["counts"] == {
        "create": 3,
        "complete": 0,
        "unchanged": 0,
        "error": 1,
    }
    lea = Member.objects.get(email="lea@example.org")
    assert (lea.kind, lea.last_name, lea.first_name) == ("individual", "Durand", "Léa")
    assert lea.phone_home == "+33123456789" and lea.reference == f"CAC-{lea.pk:06d}"
    canal = Member.objects.get(name="Les Amis du Canal")
    assert (canal.kind, canal.acronym, canal.phone) == ("organisation", "LAC", "+33142000000")
    assert Member.objects.get(last_name="Roy").email == ""
    assert not Member.objects.filter(last_name="Petit").exists()
    created = AuditEntry.objects.filter(action=AuditEntry.Action.MEMBER_IMPORTED)
    assert created.count() == 3 and {entry.actor for entry in created} == {staff_user}
    done = AuditEntry.objects.get(action=AuditEntry.Action.IMPORT_DONE)
    assert done.after["create"] == 3 and done.after["error"] == 1
    assert not member_import.file, "the uploaded file (personal data) is not kept"
    assert not private_storage().exists(stored)
    body = text(staff_client.get(reverse("dues:import_detail", args=[member_import.code])))
    assert "3 fiches créées" in body and "1 ligne en erreur, non importée" in body


def test_a_second_import_of_the_same_file_creates_nothing(staff_client, cac):
    data = csv_file(GOOD)
    confirm(staff_client, uploaded(staff_client, data))
    before = sorted(Member.objects.values_list("pk", "last_name", "name", "email"))
    second = upload(staff_client, data)
    assert second.status_code == 302
    again = MemberImport.objects.order_by("-created_at").first()
    assert again.result["preview"]["counts"]["create"] == 0
    assert again.result["preview"]["counts"]["unchanged"] == 3
    confirm(staff_client, again)
    assert sorted(Member.objects.values_list("pk", "last_name", "name", "email")) == before


def test_a_line_matching_a_member_fills_only_blank_fields_and_lists_the_conflicts(
    staff_client, cac
):
    lea = IndividualFactory(
        last_name="Durand", first_name="Léa", email="Lea@Example.org", city="Paris",
        street="", phone_home="", postal_code="75011",
    )  # fmt: skip
    canal = OrganisationFactory(name="Canal", acronym="", city="Lyon", street="9 rue X")
    rows = [
        ["Durand", "Léa", "", "", "5 rue Oberkampf", "75011", "Marseille", "lea@example.org",
         "01 23 45 67 89", ""],
        ["", "", "Les Amis du Canal", "LAC", "3 quai de Jemmapes", "75010", "Paris", "", "",
         "morale"],
    ]  # fmt: skip
    header = [*HEADER, "Référence"]
    rows[0].append("")
    rows[1].append(canal.reference.lower())
    member_import = confirm(staff_client, uploaded(staff_client, csv_file(rows, header)))
    assert member_import.result["counts"]["complete"] == 2
    assert Member.objects.count() == 2, "matched by email (any case) and by reference"
    lea.refresh_from_db()
    assert (lea.street, lea.phone_home) == ("5 rue Oberkampf", "+33123456789")
    assert lea.city == "Paris", "a filled field is never overwritten"
    canal.refresh_from_db()
    assert (canal.name, canal.acronym, canal.city) == ("Canal", "LAC", "Lyon")
    conflicts = {
        (problem["line"], conflict["field"], conflict["member"], conflict["file"])
        for problem in member_import.result["problems"]
        for conflict in problem["conflicts"]
    }
    assert (2, "Ville", "Paris", "Marseille") in conflicts
    assert (3, "Structure (nom de l'organisation)", "Canal", "Les Amis du Canal") in conflicts
    changed = AuditEntry.objects.filter(
        action=AuditEntry.Action.MEMBER_CONTACT_CHANGED, object_id=str(lea.pk)
    ).get()
    assert changed.before["street"] == "" and changed.after["street"] == "5 rue Oberkampf"


def test_an_unknown_reference_is_an_error_of_its_line(staff_client, cac):
    header = [*HEADER, "Référence"]
    rows = [[*GOOD[0], "CAC-999999"]]
    member_import = uploaded(staff_client, csv_file(rows, header))
    problems = member_import.result["preview"]["problems"]
    assert problems[0]["errors"] == ["Référence CAC-999999 inconnue."]


PAYMENT_HEADER = ["Nom", "Prénom", "Structure", "Adresse", "Code postal", "Ville", "Courriel",
                  "Année", "Date", "Montant", "Mode"]  # fmt: skip


def test_past_payments_count_for_status_and_statistics_and_never_get_a_receipt(
    staff_client, cac, django_capture_on_commit_callbacks
):
    past = YEAR - 1
    rows = [
        ["Durand", "Léa", "", "5 rue Oberkampf", "75011", "Paris", "lea@example.org",
         str(past - 1), f"10/03/{past - 1}", "50", "chèque"],
        ["Durand", "Léa", "", "5 rue Oberkampf", "75011", "Paris", "lea@example.org",
         str(past), f"12/02/{past}", "60,50", "virement"],
        ["", "", "Les Amis du Canal", "3 quai de Jemmapes", "75010", "Paris", "c@canal.org",
         "", f"{past}-04-01", "200", ""],
        ["Roy", "Inès", "", "1 place du Marché", "69001", "Lyon", "", str(past), "demain",
         "abc", "carte"],
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        member_import = confirm(
            staff_client, uploaded(staff_client, csv_file(rows, PAYMENT_HEADER))
        )
    assert member_import.result["counts"] == {
        "create": 2,
        "complete": 0,
        "unchanged": 1,
        "error": 1,
    }
    assert member_import.result["payments"] == 3
    errors = member_import.result["problems"][0]["errors"]
    assert "Paiement, montant : Saisissez un montant en euros, par exemple 50 ou 50,00." in errors
    assert "Paiement : la date « demain » se lit mal (ex. 15/03/2019)." in errors
    assert "Paiement : mode « carte » inconnu (chèque, virement ou espèces)." in errors

    payments = Payment.objects.order_by("received_on")
    assert [(p.year, p.amount, p.method, p.is_imported) for p in payments] == [
        (past - 1, Decimal("50.00"), "cheque", True),
        (past, Decimal("60.50"), "transfer", True),
        (past, Decimal("200.00"), "cheque", True),
    ]
    assert Payment.objects.get(amount=200).received_on == datetime.date(past, 4, 1)
    # They count: the members are up to date for their years, the statistics see them.
    members, _year = filter_members({"up_to_date": past})
    assert set(members.values_list("email", flat=True)) == {"lea@example.org", "c@canal.org"}
    assert figures(past).total == Decimal("260.50")
    assert figures(past).imported == Decimal("260.50")
    # ... and never get a receipt, not even from the sweep.
    sweep(now=timezone.now() + datetime.timedelta(days=1))
    assert not Receipt.objects.exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PAYMENT_IMPORTED).count() == 3

    # Imported again: the payments are already there.
    again = confirm(staff_client, uploaded(staff_client, csv_file(rows, PAYMENT_HEADER)))
    assert again.result["payments"] == 0
    assert Payment.objects.count() == 3


def xlsx_file(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_an_xlsx_file_with_numbers_and_dates_in_its_cells(staff_client, cac):
    past = YEAR - 1
    data = xlsx_file(
        [
            ["Nom", "Prénom", "Adresse", "CP", "Ville", "Portable", "Date", "Montant"],
            [
                "Martin",
                "Zoé",
                "1 rue A",
                1000,
                "Bourg-en-Bresse",
                612345678,
                datetime.datetime(past, 5, 4),
                35.5,
            ],
        ]  # fmt: skip
    )
    member_import = confirm(staff_client, uploaded(staff_client, data, "membres.xlsx"))
    zoe = Member.objects.get(last_name="Martin")
    assert zoe.postal_code == "01000", "the zero a spreadsheet dropped is put back"
    assert zoe.phone_mobile == "+33612345678"
    payment = zoe.payments.get()
    assert (payment.received_on, payment.amount, payment.year) == (
        datetime.date(past, 5, 4),
        Decimal("35.50"),
        past,
    )
    assert member_import.encoding == "xlsx"


def test_a_windows_1252_csv_from_excel_is_read(staff_client, cac):
    data = csv_file(GOOD[:1], encoding="cp1252")
    confirm(staff_client, uploaded(staff_client, data))
    assert Member.objects.get().first_name == "Léa"


def test_the_columns_can_be_changed_on_the_preview(staff_client, cac):
    header = ["Nom", "Prénom", "Rue", "Code postal", "Commune", "Adresse électronique du siège"]
    rows = [["Durand", "Léa", "5 rue Oberkampf", "75011", "Paris", "lea@example.org"]]
    member_import = uploaded(staff_client, csv_file(rows, header))
    assert member_import.mapping[-1] == "", "not recognised"
    url = reverse("dues:import_detail", args=[member_import.code])
    response = staff_client.post(
        url,
        {
            "action": "mapping",
            **{f"column-{i}": target for i, target in enumerate(member_import.mapping)},
            "column-5": "email",
            "column-6": "email",  # no such column
        },
    )
    assert response.status_code == 302
    member_import.refresh_from_db()
    assert member_import.mapping == [
        "last_name",
        "first_name",
        "street",
        "postal_code",
        "city",
        "email",
    ]
    confirm(staff_client, member_import)
    assert Member.objects.get().email == "lea@example.org"


def test_a_mapping_that_names_a_field_twice_or_an_unknown_one_keeps_the_first(staff_client, cac):
    member_import = uploaded(staff_client, csv_file(GOOD))
    staff_client.post(
        reverse("dues:import_detail", args=[member_import.code]),
        {"action": "mapping", "column-0": "last_name", "column-1": "last_name", "column-2": "pk"},
    )
    member_import.refresh_from_db()
    assert member_import.mapping[:3] == ["last_name", "", ""]


def bomb():
    """A 'zip bomb' dressed as an XLSX: a few kilobytes that unpack to a gigabyte."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"\0" * 2**20
            for _ in range(1024):
                sheet.write(block)
    return stream.getvalue()


BAD_FILES = [
    ("empty", b"", "vide.csv", "Le fichier soumis est vide."),
    ("blank", b"\r\n  \r\n", "blanc.csv", "Le fichier est vide."),
    (
        "header only",
        csv_file([]),
        "entete.csv",
        "Le fichier ne contient aucune ligne sous l'en-tête.",
    ),
    (
        "no header",
        b";;;\r\nDurand;L\xc3\xa9a;;\r\n",
        "x.csv",
        "La première ligne doit donner le nom des colonnes",
    ),
    (
        "utf-16 without a byte-order mark",
        "Nom;Prénom\nDurand;Léa\n".encode("utf-16-le"),
        "utf16.csv",
        "Ce fichier n'est pas un tableau lisible",
    ),
    (
        "a picture",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01",
        "photo.csv",
        "Ce fichier n'est pas un tableau lisible",
    ),
    (
        "a PDF",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\x00endobj",
        "doc.pdf",
        "Ce fichier n'est pas un tableau lisible",
    ),
    (
        "an old .xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
        "vieux.xls",
        "Excel 97-2003",
    ),
    ("a damaged xlsx", b"PK\x03\x04 pas un zip", "abime.xlsx", "endommagé ou n'en est pas un"),
    ("an xlsx bomb", None, "bombe.xlsx", "se décompresse en un volume anormal"),
    (
        "a line longer than the header",
        b"Nom;Pr\xc3\xa9nom\r\nDurand;L\xc3\xa9a;en trop\r\n",
        "long.csv",
        "plus de cellules que l'en-tête",
    ),
]


@pytest.mark.parametrize("case, data, name, message", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_gets_a_clear_message_and_writes_nothing(
    staff_client, cac, case, data, name, message
):
    IndividualFactory()
    response = upload(staff_client, bomb() if data is None else data, name)
    assert response.status_code == 400
    assert message in text(response)
    assert not MemberImport.objects.exists()
    assert Member.objects.count() == 1


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    staff_client, cac, settings, monkeypatch
):
    settings.MEMBER_IMPORT_MAX_BYTES = 5 * 2**20
    read = []
    monkeypatch.setattr(imports, "read_table", lambda *args: read.append(args))
    response = upload(staff_client, csv_file(GOOD) + b" " * (5 * 2**20))
    assert response.status_code == 400
    assert "Le fichier pèse plus de 5 Mo" in text(response)
    assert read == [] and not MemberImport.objects.exists()


def test_a_file_with_too_many_lines_is_refused(staff_client, cac, settings):
    settings.MEMBER_IMPORT_MAX_LINES = 2
    response = upload(staff_client, csv_file(GOOD))
    assert response.status_code == 400
    assert "Le fichier dépasse 2 lignes" in text(response)


def test_a_big_file_is_imported_by_a_worker_with_its_progress(
    staff_client, cac, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.MEMBER_IMPORT_BACKGROUND_LINES = 2
    monkeypatch.setattr(imports, "CHUNK", 2)
    rows = [
        [f"Nom{i}", "Prénom", "", "", f"{i} rue A", "75011", "Paris", f"p{i}@example.org", "", ""]
        for i in range(5)
    ]
    member_import = uploaded(staff_client, csv_file(rows))
    page = text(staff_client.get(reverse("dues:import_detail", args=[member_import.code])))
    assert "l'import se fera en arrière-plan" in page
    progress_url = reverse("dues:import_progress", args=[member_import.code])

    seen = []
    real_write = imports._write

    def watched(locked, *args, **kwargs):
        seen.append(MemberImport.objects.get(pk=locked.pk).processed)
        return real_write(locked, *args, **kwargs)

    monkeypatch.setattr(imports, "_write", watched)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        member_import = confirm(staff_client, member_import)
    assert member_import.status == "queued" and not Member.objects.exists()
    queued = text(staff_client.get(reverse("dues:import_detail", args=[member_import.code])))
    assert 'data-batch-progress-url="' + progress_url in queued
    assert '<meta http-equiv="refresh"' in queued, "without JavaScript, the page refreshes"
    assert staff_client.get(progress_url).json()["finished"] is False

    for callback in callbacks:
        callback()  # the worker
    assert seen == [0, 2, 4], "each group committed with its progress"
    assert Member.objects.count() == 5
    state = staff_client.get(progress_url).json()
    assert state == {"status": "done", "total": 5, "done": 5, "failed": 0, "percent": 100,
                     "finished": True}  # fmt: skip


def test_a_worker_that_died_resumes_without_creating_anything_twice(staff_client, cac, settings):
    settings.MEMBER_IMPORT_BACKGROUND_LINES = 1
    member_import = uploaded(staff_client, csv_file(GOOD))
    MemberImport.objects.filter(pk=member_import.pk).update(status="running", processed=0)
    # The first member was committed before the worker died; its progress said 0 still.
    IndividualFactory(
        last_name="Durand",
        first_name="Léa",
        email="lea@example.org",
        street="5 rue Oberkampf",
        postal_code="75011",
        city="Paris",
        phone_home="+33123456789",
    )
    imports.run_import(member_import.pk)
    member_import.refresh_from_db()
    assert member_import.status == "done"
    assert Member.objects.count() == 3
    assert member_import.result["counts"]["unchanged"] == 1
    imports.run_import(member_import.pk)
    assert Member.objects.count() == 3


def test_an_import_is_confirmed_once(staff_client, cac):
    member_import = confirm(staff_client, uploaded(staff_client, csv_file(GOOD)))
    response = staff_client.post(
        reverse("dues:import_detail", args=[member_import.code]), {"action": "confirm"}, follow=True
    )
    assert "Cet import est déjà lancé." in text(response)
    assert Member.objects.count() == 3


def test_an_export_imported_back_changes_nothing(staff_client, cac):
    IndividualFactory(first_name="Lucie", last_name="Aubrac", phone_mobile="+33612345678")
    OrganisationFactory(name="Les Amis du Canal", acronym="LAC")
    before = list(Member.objects.order_by("pk").values())
    rows = csv_rows(staff_client.get(reverse("dues:members_csv")))
    data = "\r\n".join(";".join(row) for row in rows).encode("utf-8")
    member_import = confirm(staff_client, uploaded(staff_client, data, "export.csv"))
    assert member_import.result["counts"] == {
        "create": 0,
        "complete": 0,
        "unchanged": 2,
        "error": 0,
    }
    assert list(Member.objects.order_by("pk").values()) == before


def test_two_deliveries_of_the_task_count_each_line_once(staff_client, cac, settings, monkeypatch):
    settings.MEMBER_IMPORT_BACKGROUND_LINES = 1
    monkeypatch.setattr(imports, "CHUNK", 2)
    member_import = uploaded(staff_client, csv_file(GOOD))
    MemberImport.objects.filter(pk=member_import.pk).update(status="queued")
    real_table = imports._table

    def the_other_delivery_runs_meanwhile(stale):
        monkeypatch.setattr(imports, "_table", real_table)
        imports.run_import(stale.pk)  # all the way, while this one holds a stale progress
        return real_table(stale)

    monkeypatch.setattr(imports, "_table", the_other_delivery_runs_meanwhile)
    imports.run_import(member_import.pk)
    member_import.refresh_from_db()
    assert member_import.result["counts"] == {
        "create": 3,
        "complete": 0,
        "unchanged": 0,
        "error": 0,
    }
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT_DONE).count() == 1
    assert Member.objects.count() == 3
