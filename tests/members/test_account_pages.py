"""allauth's pages live in the portal's layout; password reset works by email."""

from django.core import mail


def test_login_and_signup_pages_use_the_portal_layout(client, cac):
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        page = client.get(url).content.decode()
        assert "Aller au contenu" in page, url
        assert "Collectif des Associations Citoyennes" in page, url


def test_password_reset_sends_a_link(client, member_user):
    response = client.post("/accounts/password/reset/", {"email": member_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
