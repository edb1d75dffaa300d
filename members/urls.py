from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("annuaire/", views.directory, name="directory"),
    path("compte/coordonnees/", views.edit_contact, name="edit_contact"),
]
