from django.urls import path

from charter import views

app_name = "charter"

urlpatterns = [
    path("", views.home, name="home"),
    path("charte/", views.charter_current, name="current"),
    path("charte/v<int:version>/", views.charter_version, name="version"),
    path("confidentialite/", views.privacy_notice, name="privacy"),
    path("compte/charte/", views.resubscribe, name="resubscribe"),
]
