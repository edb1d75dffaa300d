from django.urls import include, path

app_name = "dues"

urlpatterns = [
    # The public side: the adhesion form and the member space.
    path("", include("dues.urls_public")),
    # The staff's desk: the morning post, deposit slips, lists.
    path("gestion/", include("dues.urls_desk")),
]
