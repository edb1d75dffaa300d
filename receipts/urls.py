from django.urls import path

from receipts import views, views_bank, views_reports

app_name = "receipts"

urlpatterns = [
    path("recus/<uuid:code>/", views.download, name="download"),
    path("recus/<uuid:code>/signaler/", views.report_error, name="report_error"),
    path("verifier/<str:verification_token>/", views.verify, name="verify"),
    path("tresorerie/", views.treasury, name="treasury"),
    path("tresorerie/lot/", views.batch_start, name="batch_start"),
    path("tresorerie/lot/<int:year>/progression.json", views.batch_progress, name="batch_progress"),
    path("tresorerie/recus/<uuid:code>/annuler/", views.cancel, name="cancel"),
    path("tresorerie/registre/<int:year>.csv", views.register_csv, name="register_csv"),
    path("tresorerie/erreurs/<int:pk>/traitee/", views.resolve_report, name="resolve_report"),
    path("tresorerie/parametres-fiscaux/", views.fiscal_settings, name="fiscal_settings"),
    path("tresorerie/declaration/<int:year>/", views.declare, name="declare"),
    path("tresorerie/tableau-de-bord/", views_reports.dashboard_page, name="dashboard"),
    path(
        "tresorerie/tableau-de-bord/rapport-<int:year>.pdf",
        views_reports.report_pdf,
        name="report_pdf",
    ),
    path("tresorerie/journal/", views_reports.journal_page, name="journal"),
    path("tresorerie/journal/ecritures.csv", views_reports.journal_csv, name="journal_csv"),
    path("tresorerie/journal/comptes/", views_reports.accounts_page, name="accounts"),
    path("tresorerie/banque/", views_bank.bank_details, name="bank_details"),
]
