import pytest


@pytest.fixture
def verified_user(django_user_model):
    """Make a user whose email allauth considers verified, as after clicking the link."""

    def make(email, password="un mot de passe très long 42"):
        from allauth.account.models import EmailAddress

        user = django_user_model.objects.create_user(username=email, email=email, password=password)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        return user

    return make
