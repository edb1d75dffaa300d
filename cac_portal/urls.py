from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("charter.urls")),
    path("", include("members.urls")),
    path("", include("dues.urls")),
    path("", include("receipts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
