from django.urls import path

from dues.views import account, public

urlpatterns = [
    path("adhesion/", public.adhesion, name="adhesion"),
    path("adhesion/merci/", public.adhesion_done, name="adhesion_done"),
    path("compte/", account.account, name="account"),
    path("compte/renouveler/", account.renew, name="renew"),
]
