from django.urls import path

from dues.views import account, public, renewals

urlpatterns = [
    path("adhesion/", public.adhesion, name="adhesion"),
    path("adhesion/merci/", public.adhesion_done, name="adhesion_done"),
    path("adhesion/rattacher/<str:token>/", public.attach_by_link, name="attach_by_link"),
    path("renouveler/<str:renewal_token>/", renewals.renew_by_link, name="renew_by_link"),
    path("relances/desabonner/<str:unsubscribe_token>/", renewals.unsubscribe, name="unsubscribe"),
    path("compte/", account.account, name="account"),
    path("compte/renouveler/", account.renew, name="renew"),
    path(
        "compte/promesses/<str:reference>/rattacher/",
        account.attach_pledge,
        name="attach_pledge",
    ),
]
