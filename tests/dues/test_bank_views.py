"""The bank's pages through their URLs: import (and a new bank's CSV columns), the sure
matches at once, the review queue, a line confirmed, picked, dismissed or reopened."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dues.models import BankCsvLayout, BankLine, BankStatement, LineSuggestion, Payment
from dues.services.payments import record_payment
from dues.services.statements import import_statement
from tests.dues.conftest import STATEMENT_YEAR
from tests.factories import IndividualFactory, PledgeFactory
from tests.helpers import COLLECTIVE_IBAN, camt053, data_file, text

pytestmark = pytest.mark.django_db

BANK = reverse("dues:bank")
QUEUE = reverse("dues:bank_queue")
CSV = "csv_date_libelle_debit_credit.csv"


def upload(client, name, data=None, **extra):
    data = data_file(name) if data is None else data
    return client.post(
        BANK, {"statement": SimpleUploadedFile(name, data), "account_iban": "", **extra}
    )


def line(reference):
    return BankLine.objects.get(bank_reference=reference)


@pytest.fixture
def march(staff_client, bank_cast, deposited_slip):
    for name in ("camt053_v02_credit_cooperatif.xml", "camt053_v08_credit_cooperatif.xml"):
        upload(staff_client, name)
    return bank_cast


def test_staff_import_a_statement_and_read_what_it_did(staff_client, bank_cast, deposited_slip):
    response = upload(staff_client, "camt053_v02_credit_cooperatif.xml")
    assert response.status_code == 302
    page = text(staff_client.get(BANK))
    assert (
        "Relevé « camt053_v02_credit_cooperatif.xml » importé : 7 crédits lus, 7 nouveaux, "
        "0 déjà connus ; 2 débits ignorés. 2 correspondances sûres à valider." in page
    )
    assert "Valider les 2 correspondances sûres" in page
    assert "5 lignes à vérifier" in page
    again = upload(staff_client, "camt053_v02_credit_cooperatif.xml")
    assert "aucune ligne nouvelle (7 crédits connus)" in text(staff_client.get(again["Location"]))
    assert BankLine.objects.count() == 7


def test_a_50_mb_upload_is_refused_before_it_is_read(staff_client):
    response = upload(staff_client, "enorme.xml", b"<" + b"x" * (50 * 1024 * 1024))
    assert response.status_code == 400
    page = text(response)
    assert "Ce fichier fait 50,0 Mo : un relevé ne dépasse pas 10,0 Mo." in page
    assert 'id="id_statement_errors"' in page
    assert not BankStatement.objects.exists()


def test_a_bad_file_is_refused_next_to_the_field(staff_client):
    truncated = data_file("camt053_v02_credit_cooperatif.xml")[:2500]
    response = upload(staff_client, "releve.xml", truncated)
    assert response.status_code == 400
    page = text(response)
    assert "Ce fichier XML est incomplet ou mal formé" in page
    assert 'id="id_statement_errors"' in page
    assert not BankLine.objects.exists()


def test_a_wrong_account_iban_is_refused_and_kept_as_typed(staff_client):
    response = upload(
        staff_client, "camt053_v02_credit_cooperatif.xml", account_iban="FR76 4255 9100 0008"
    )
    assert response.status_code == 400
    page = text(response)
    assert "Cet IBAN n'est pas valide" in page
    assert 'value="FR76 4255 9100 0008"' in page
    assert not BankLine.objects.exists()


def test_a_new_banks_csv_asks_for_its_columns_once(staff_client, bank_cast):
    response = upload(staff_client, CSV, account_iban=COLLECTIVE_IBAN)
    assert response.status_code == 200
    page = text(response)
    assert "Les colonnes de ce relevé CSV" in page
    assert "VIR SEPA DURAND LEA RF35CAC000101A2026" in page  # the preview
    assert '<option value="Crédit" selected>Crédit</option>' in page  # the guess
    token = response.context["layout"]["upload"].value()
    assert not BankLine.objects.exists()
    response = staff_client.post(
        BANK,
        {
            "action": "layout",
            "upload": token,
            "bank_name": "Crédit Agricole",
            "date_column": "Date",
            "label_column": "Libellé",
            "debit_column": "Débit",
            "credit_column": "Crédit",
        },
    )
    assert response.status_code == 302
    assert BankLine.objects.count() == 6
    assert set(BankLine.objects.values_list("account", flat=True)) == {COLLECTIVE_IBAN}
    assert BankCsvLayout.objects.get().bank_name == "Crédit Agricole"
    # The same bank's next file goes straight in.
    assert upload(staff_client, CSV, account_iban=COLLECTIVE_IBAN).status_code == 302


def test_columns_that_do_not_map_are_refused_and_the_choices_kept(staff_client, treasurer_user):
    token = upload(staff_client, CSV).context["layout"]["upload"].value()
    choices = {
        "action": "layout",
        "upload": token,
        "date_column": "Date",
        "label_column": "Libellé",
        "credit_column": "Libellé",
    }
    response = staff_client.post(BANK, choices)
    assert response.status_code == 400
    page = text(response)
    assert "la colonne « Libellé » devrait contenir un montant" in page
    assert page.count('<option value="Libellé" selected>') == 2
    response = staff_client.post(BANK, {**choices, "credit_column": ""})
    assert "Indiquez la colonne du montant, ou celle des crédits." in text(response)
    assert not BankLine.objects.exists() and not BankCsvLayout.objects.exists()
    # The file waits for this user only.
    other = Client()
    other.force_login(treasurer_user)
    assert other.post(BANK, {**choices, "credit_column": "Crédit"}).status_code == 302
    assert not BankLine.objects.exists()


def test_the_sure_matches_are_listed_then_confirmed_at_once(march, staff_client, staff_user):
    page = text(staff_client.get(reverse("dues:bank_sure")))
    assert "Valider les 3 correspondances sûres" in page
    assert "référence RF35 CAC0 0010 1A20 26 dans le virement" in page
    response = staff_client.post(reverse("dues:bank_sure"))
    assert "3 virements enregistrés." in text(staff_client.get(response["Location"]))
    transfers = Payment.objects.filter(method="transfer")
    assert transfers.count() == 3
    assert {p.recorded_by for p in transfers} == {staff_user}


def test_the_queue_shows_each_unsure_line_with_why_and_how_sure(march, staff_client):
    page = text(staff_client.get(QUEUE))
    assert "7 lignes" in page  # 10 lines, 3 of them sure
    assert "Probable" in page or "probable" in page
    assert "même montant qu'une promesse, nom proche : « MME JEANNE MOREAU »" in page
    assert "compte FR14 2004 1010 0505 0001 3M02 606, déjà rapproché de ce membre" in page
    assert "promesse 2026 (adhésion) de 200,00\u00a0€, montant différent" in page
    assert "total du bordereau BR-2026-001, remis le 03/03/2026" in page
    assert "RF35" not in page  # Léa's sure line waits for the bulk confirmation
    assert "RF35" in text(staff_client.get(QUEUE + "?voir=tout"))


def test_the_queue_is_paginated(staff_client, cac):
    entries = [
        {"day": datetime.date(2026, 3, 1 + i), "amount": f"{10 + i}.00", "ref": f"P{i}"}
        for i in range(25)
    ]
    import_statement(data=camt053(entries), file_name="x.xml", actor=None)
    assert text(staff_client.get(QUEUE)).count("data-bank-line") == 20
    assert text(staff_client.get(QUEUE + "?page=2")).count("data-bank-line") == 5


def test_a_suggestion_is_confirmed_from_the_queue(march, staff_client):
    suggestion = LineSuggestion.objects.get(line__bank_reference="CC2026031400007", position=0)
    url = reverse("dues:bank_line_confirm", args=[suggestion.line_id])
    response = staff_client.post(url, {"suggestion": suggestion.pk, "next": QUEUE + "?page=1"})
    assert response["Location"] == QUEUE + "?page=1"
    payment = Payment.objects.get(bank_line=suggestion.line)
    assert payment.member == march[104]
    message = text(staff_client.get(QUEUE))
    assert "Virement de 50,00\u00a0€ du 14/03/2026 enregistré pour Jeanne Moreau" in message
    # The same form sent twice: refused, said, and nothing more recorded.
    response = staff_client.post(url, {"suggestion": suggestion.pk})
    assert response.status_code == 400
    assert "Cette ligne est déjà rapprochée" in text(response)
    assert Payment.objects.filter(bank_line=suggestion.line).count() == 1


def test_a_member_is_picked_by_hand_with_or_without_javascript(march, staff_client):
    gift = line("CC2026031000005-1")  # Chloé Bernard, not a member yet
    url = reverse("dues:bank_line_confirm", args=[gift.pk])
    chloe = IndividualFactory(first_name="Chloé", last_name="Bernard")
    PledgeFactory(member=chloe, year=STATEMENT_YEAR, amount=Decimal("25.00"), purpose="donation")
    assert staff_client.post(url, {"member": chloe.pk, "member_query": "Chloé"}).status_code == 302
    assert Payment.objects.get(bank_line=gift).pledge.purpose == "donation"
    # Without JavaScript: what was typed, if it finds one member.
    subsidy = line("CC2026031200006")
    url = reverse("dues:bank_line_confirm", args=[subsidy.pk])
    response = staff_client.post(url, {"member": "", "member_query": "Personne Inconnue"})
    assert response.status_code == 400
    assert "Aucun membre ne correspond à « Personne Inconnue »" in text(response)
    response = staff_client.post(url, {"member": "", "member_query": ""})
    assert "Choisissez le membre qui a fait ce virement." in text(response)
    assert staff_client.post(url, {"member_query": "CAC-000107"}).status_code == 302
    assert Payment.objects.get(bank_line=subsidy).member == march[107]


def test_two_members_found_by_the_words_typed_are_not_guessed(march, staff_client):
    IndividualFactory(first_name="Paula", last_name="Martinez")
    subsidy = line("CC2026031200006")
    url = reverse("dues:bank_line_confirm", args=[subsidy.pk])
    response = staff_client.post(url, {"member_query": "Martin"})
    assert "Plusieurs membres correspondent à « Martin »" in text(response)
    assert not Payment.objects.filter(bank_line=subsidy).exists()


def test_a_line_is_dismissed_with_its_reason_then_reopened(march, staff_client):
    subsidy = line("CC2026031200006")
    url = reverse("dues:bank_line_dismiss", args=[subsidy.pk])
    response = staff_client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text(response)
    response = staff_client.post(url, {"reason": "Subvention de fonctionnement", "next": QUEUE})
    assert response["Location"] == QUEUE
    subsidy.refresh_from_db()
    assert subsidy.status == "dismissed"
    assert "VILLE DE PARIS" not in text(staff_client.get(QUEUE))
    statement = text(staff_client.get(reverse("dues:bank_statement", args=[subsidy.statement_id])))
    assert "écartée : Subvention de fonctionnement" in statement
    staff_client.post(reverse("dues:bank_line_reopen", args=[subsidy.pk]))
    assert "VILLE DE PARIS" in text(staff_client.get(QUEUE))


def test_a_slips_credit_shows_on_the_slip_and_late_slips_on_the_bank_page(
    staff_client, bank_cast, deposited_slip
):
    def late():
        return text(staff_client.get(BANK)).split("Remises de chèques non créditées")[1]

    upload(staff_client, "camt053_v08_credit_cooperatif.xml")
    # Statements from the 10th only: whether the slip of the 3rd was credited, no one knows.
    assert deposited_slip.number not in late()
    upload(staff_client, "camt053_v02_credit_cooperatif.xml")
    assert deposited_slip.number in late()
    suggestion = LineSuggestion.objects.get(deposit_slip=deposited_slip)
    staff_client.post(
        reverse("dues:bank_line_confirm", args=[suggestion.line_id]), {"suggestion": suggestion.pk}
    )
    slip_page = text(staff_client.get(reverse("dues:slip_detail", args=[deposited_slip.number])))
    assert "crédité le 05/03/2026" in slip_page
    assert deposited_slip.number not in late()


def test_the_payment_page_says_which_bank_line_it_came_from(march, staff_client):
    suggestion = LineSuggestion.objects.get(line__bank_reference="CC2026030400003", position=0)
    staff_client.post(
        reverse("dues:bank_line_confirm", args=[suggestion.line_id]), {"suggestion": suggestion.pk}
    )
    payment = Payment.objects.get(bank_line=suggestion.line)
    page = text(staff_client.get(reverse("dues:payment_detail", args=[payment.pk])))
    assert "réf. CC2026030400003" in page


def test_a_transfer_logged_by_hand_is_shown_and_attached_from_the_queue(staff_client, bank_cast):
    paul = bank_cast[102]
    record_payment(
        member=paul,
        amount="100",
        method="transfer",
        received_on=datetime.date(2026, 3, 6),
        year=STATEMENT_YEAR,
        actor=None,
    )
    upload(staff_client, "camt053_v02_credit_cooperatif.xml")
    page = text(staff_client.get(QUEUE))
    assert "virement déjà saisi à la main le 06/03/2026 : la ligne s'y rattache" in page
    suggestion = LineSuggestion.objects.get(line__bank_reference="CC2026030400003", position=0)
    response = staff_client.post(
        reverse("dues:bank_line_confirm", args=[suggestion.line_id]),
        {"suggestion": suggestion.pk},
    )
    told = text(staff_client.get(response["Location"]))
    assert "saisi le 06/03/2026, rattaché à sa ligne du relevé" in told
    assert paul.payments.get().bank_line_id == suggestion.line_id
