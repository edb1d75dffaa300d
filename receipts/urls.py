from django.urls import path

from receipts import views, views_bank

app_name = "receipts"

urlpatterns = [
    path("recus/<uuid:code>/", views.download, name="download"),
    path("recus/<uuid:code>/signaler/", views.report_error, name="report_error"),
    path("tresorerie/", views.treasury, name="treasury"),
    path("tresorerie/lot/", views.batch_start, name="batch_start"),
    path("tresorerie/lot/<int:year>/progression.json", views.batch_progress, name="batch_progress"),
    path("tresorerie/recus/<uuid:code>/annuler/", views.cancel, name="cancel"),
    path("tresorerie/registre/<int:year>.csv", views.register_csv, name="register_csv"),
    path("tresorerie/erreurs/<int:pk>/traitee/", views.resolve_report, name="resolve_report"),
    path("tresorerie/banque/", views_bank.bank_details, name="bank_details"),
]
