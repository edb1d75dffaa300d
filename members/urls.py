from django.urls import path

from members import views, views_personal

app_name = "members"

urlpatterns = [
    path("annuaire/", views.directory, name="directory"),
    path("compte/coordonnees/", views.edit_contact, name="edit_contact"),
    path("compte/membre/", views.switch_member, name="switch_member"),
    path("compte/acces/inviter/", views.invite, name="invite"),
    path("compte/acces/<int:pk>/retirer/", views.remove_access, name="remove_access"),
    path("compte/invitations/<int:pk>/annuler/", views.cancel_invitation, name="cancel_invitation"),
    path("compte/invitation/<str:token>/", views.invitation, name="invitation"),
    path("compte/donnees/", views_personal.download, name="personal_data"),
    path("compte/donnees/<str:token>/", views_personal.download_link, name="personal_data_link"),
    path("compte/fermer/", views_personal.close, name="close_account"),
]
