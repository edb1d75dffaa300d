"""The staff's desk under /gestion/ (namespace "dues"). Every URL here is in the permission
matrix of tests/dues/test_permissions_desk.py, built from this list."""

from django.urls import path

from dues.views import (
    dashboard,
    desk,
    desk_members,
    desk_paper,
    desk_pledges,
    exports,
    imports,
    lists,
    slips,
)

urlpatterns = [
    path("", desk.desk, name="desk"),
    path("tableau-de-bord/", dashboard.desk_dashboard, name="dashboard"),
    path("formulaire-papier/", desk_paper.paper_form, name="paper_form"),
    path("membres/recherche/", desk.member_search, name="member_search"),
    path("membres/", lists.member_list, name="member_list"),
    path("membres/nouveau/", desk_members.member_new, name="member_new"),
    path("membres/fusionner/", desk_members.merge, name="merge"),
    path("membres/<str:reference>/", desk_members.member_detail, name="member_detail"),
    path("membres/<str:reference>/acces/", desk_members.member_accesses, name="member_accesses"),
    path("promesses/", desk_pledges.pledge_list, name="pledge_list"),
    path("promesses/<str:pledge_reference>/", desk_pledges.pledge_detail, name="pledge_detail"),
    path("membres/export.csv", exports.members_csv, name="members_csv"),
    path("paiements/", lists.payment_list, name="payment_list"),
    path("paiements/export.csv", exports.payments_csv, name="payments_csv"),
    path("promesses/export.csv", exports.pledges_csv, name="pledges_csv"),
    path("exports/", exports.export_page, name="exports"),
    path("import/", imports.import_upload, name="import_upload"),
    path("import/<uuid:code>/", imports.import_detail, name="import_detail"),
    path("import/<uuid:code>/progression.json", imports.import_progress, name="import_progress"),
    path("paiements/<int:pk>/", desk.payment_detail, name="payment_detail"),
    path("paiements/<int:pk>/modifier/", desk.payment_edit, name="payment_edit"),
    path("paiements/<int:pk>/annuler/", desk.payment_cancel, name="payment_cancel"),
    path("paiements/<int:pk>/rejeter/", desk.payment_reject, name="payment_reject"),
    path("bordereaux/", slips.slip_list, name="slip_list"),
    path("bordereaux/nouveau/", slips.slip_new, name="slip_new"),
    path("bordereaux/<str:number>/", slips.slip_detail, name="slip_detail"),
    path("bordereaux/<str:number>/pdf/", slips.slip_pdf, name="slip_pdf"),
    path("bordereaux/<str:number>/remise/", slips.slip_deposit, name="slip_deposit"),
]
