from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("annuaire/", views.directory, name="directory"),
    path("compte/coordonnees/", views.edit_contact, name="edit_contact"),
    path("compte/membre/", views.switch_member, name="switch_member"),
    path("compte/acces/inviter/", views.invite, name="invite"),
    path("compte/acces/<int:pk>/retirer/", views.remove_access, name="remove_access"),
    path("compte/invitations/<int:pk>/annuler/", views.cancel_invitation, name="cancel_invitation"),
    path("compte/invitation/<str:token>/", views.invitation, name="invitation"),
]
