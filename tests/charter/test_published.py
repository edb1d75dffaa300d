"""What the public pages keep between requests (the collective, the charter, the privacy
notice, the scales: `cac_portal.published`) and how an administrator's edit reaches them."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from cac_portal import published
from charter.models import Charter, Collective, PrivacyNotice
from dues.campaign import current_year
from dues.models import Scale
from tests.helpers import text


def admin_form_data(response):
    """The admin change page's form as it stands (main form and inlines), ready to post."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                value = value[0] if value else ""
            data[bound.html_name] = "on" if value is True else value
    return data


def admin_edit(client, model, obj, **changes):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    data = admin_form_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


@pytest.fixture
def admin_client_(client, superuser):
    client.force_login(superuser)
    return client


def test_the_home_page_reads_the_collective_once_then_keeps_it(
    client, cac, django_assert_num_queries
):
    client.get("/")
    # Was 2 queries on every request (the view and the context processor each loaded it).
    with django_assert_num_queries(0):
        response = client.get("/")
    assert "Collectif des Associations Citoyennes" in text(response)


def test_the_charter_page_costs_no_query_once_read(client, cac, django_assert_num_queries):
    client.get("/charte/")
    with django_assert_num_queries(0):
        response = client.get("/charte/")
    assert response.status_code == 200


def test_an_admin_edit_of_the_collective_shows_on_the_next_page(
    client, admin_client_, cac, django_capture_on_commit_callbacks
):
    assert "Collectif des Associations Citoyennes" in text(client.get("/"))
    with django_capture_on_commit_callbacks(execute=True):
        admin_edit(admin_client_, Collective, Collective.load(), name="Collectif Renommé")
    client.logout()
    assert "Collectif Renommé" in text(client.get("/"))
    assert "Collectif Renommé" in text(client.get("/adhesion/"))


def test_an_admin_edit_of_a_principle_shows_on_the_charter_and_the_form(
    client, admin_client_, cac, django_capture_on_commit_callbacks
):
    charter = Charter.objects.get()
    client.get("/charte/")
    client.get("/adhesion/")
    with django_capture_on_commit_callbacks(execute=True):
        admin_edit(admin_client_, Charter, charter, **{"principles-0-heading": "Principe neuf."})
    client.logout()
    assert "Principe neuf." in text(client.get("/charte/"))
    assert "Principe neuf." in text(client.get("/adhesion/"))


def test_an_admin_edit_of_a_tier_shows_on_the_form_at_once(
    client, admin_client_, cac, django_capture_on_commit_callbacks
):
    scale = Scale.objects.get(year=current_year())
    assert "Tarif très solidaire" not in text(client.get("/adhesion/"))
    url = reverse("admin:dues_scale_change", args=[scale.pk])
    data = admin_form_data(admin_client_.get(url))
    first = next(k for k in data if k.startswith("tiers-") and k.endswith("-label"))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(url, {**data, first: "Tarif très solidaire"})
    client.logout()
    assert "Tarif très solidaire" in text(client.get("/adhesion/"))


def test_a_new_privacy_notice_is_read_by_the_form_and_its_page(
    client, cac, django_capture_on_commit_callbacks
):
    client.get("/adhesion/")
    client.get("/confidentialite/")
    old = PrivacyNotice.objects.current()
    with django_capture_on_commit_callbacks(execute=True):
        PrivacyNotice.objects.create(
            version=old.version + 1,
            title=old.title,
            body="Texte neuf.",
            effective_on=old.effective_on,
        )
    assert "Texte neuf." in text(client.get("/confidentialite/"))
    response = client.get("/adhesion/")
    assert f'name="privacy_version" value="{old.version + 1}"' in response.content.decode()


def test_an_edit_gives_every_process_a_new_generation_once_committed(
    cac, django_capture_on_commit_callbacks
):
    before = published.generation()
    collective = Collective.load()
    collective.city = "Montreuil"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        collective.save()
    # Not before the commit: another process would read the old row for the new generation.
    assert cache.get(published.GENERATION_KEY) == before
    for callback in callbacks:
        callback()
    assert cache.get(published.GENERATION_KEY) not in (None, before)


def test_another_process_sees_the_edit_after_the_commit(cac, django_capture_on_commit_callbacks):
    """Another process: its memory still holds the old row, only the shared generation tells."""
    from charter import published as charter_published

    assert charter_published.collective().city == "Paris"
    stale = dict(published._memo)
    with django_capture_on_commit_callbacks(execute=True):
        Collective.objects.filter(pk=Collective.load().pk).update(city="Montreuil")
        published.changed()
    published._memo.update(stale)  # what the other process still has in memory
    assert charter_published.collective().city == "Montreuil"


def test_without_a_reachable_cache_the_pages_read_the_database(client, cac, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/")
    assert response.status_code == 200
    assert "Collectif des Associations Citoyennes" in text(response)
