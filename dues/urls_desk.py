"""The staff's desk under /gestion/ (namespace "dues"). Every URL here is in the permission
matrix of tests/dues/test_permissions_desk.py, built from this list."""

from django.urls import path

from dues.views import bank, desk, desk_paper, lists, slips

urlpatterns = [
    path("", desk.desk, name="desk"),
    path("formulaire-papier/", desk_paper.paper_form, name="paper_form"),
    path("membres/recherche/", desk.member_search, name="member_search"),
    path("membres/", lists.member_list, name="member_list"),
    path("paiements/", lists.payment_list, name="payment_list"),
    path("paiements/<int:pk>/", desk.payment_detail, name="payment_detail"),
    path("paiements/<int:pk>/modifier/", desk.payment_edit, name="payment_edit"),
    path("paiements/<int:pk>/annuler/", desk.payment_cancel, name="payment_cancel"),
    path("paiements/<int:pk>/rejeter/", desk.payment_reject, name="payment_reject"),
    path("bordereaux/", slips.slip_list, name="slip_list"),
    path("bordereaux/nouveau/", slips.slip_new, name="slip_new"),
    path("bordereaux/<str:number>/", slips.slip_detail, name="slip_detail"),
    path("bordereaux/<str:number>/pdf/", slips.slip_pdf, name="slip_pdf"),
    path("bordereaux/<str:number>/remise/", slips.slip_deposit, name="slip_deposit"),
    path("banque/", bank.bank, name="bank"),
    path("banque/sures/", bank.bank_sure, name="bank_sure"),
    path("banque/a-traiter/", bank.bank_queue, name="bank_queue"),
    path("banque/releves/<int:statement>/", bank.bank_statement, name="bank_statement"),
    path("banque/lignes/<int:line>/", bank.bank_line_confirm, name="bank_line_confirm"),
    path("banque/lignes/<int:line>/ecarter/", bank.bank_line_dismiss, name="bank_line_dismiss"),
    path("banque/lignes/<int:line>/rouvrir/", bank.bank_line_reopen, name="bank_line_reopen"),
]
