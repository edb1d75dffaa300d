from django.urls import include, path

from dues.views import campaigns, processing

app_name = "dues"

urlpatterns = [
    # The public side: the adhesion form and the member space.
    path("", include("dues.urls_public")),
    # The staff's desk: the morning post, deposit slips, lists.
    path("gestion/", include("dues.urls_desk")),
    # The administrator's record of processing activities (GDPR art. 30).
    path(
        "administration/registre-des-traitements/",
        processing.processing_record,
        name="processing_record",
    ),
    path(
        "administration/registre-des-traitements.pdf",
        processing.processing_record_pdf,
        name="processing_record_pdf",
    ),
    # The treasurer's renewal campaigns.
    path("tresorerie/relances/", campaigns.renewals_page, name="renewals"),
    path("tresorerie/relances/<int:year>/", campaigns.save_schedule, name="renewals_schedule"),
    path("tresorerie/relances/<int:year>/pause/", campaigns.pause, name="renewals_pause"),
    path("tresorerie/relances/<int:year>/bareme/", campaigns.copy_scale, name="renewals_scale"),
]
