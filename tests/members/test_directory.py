"""/annuaire/: the member organisations that opted in, searchable, paginated, constant queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import IndividualFactory, OrganisationFactory


def test_only_organisations_that_opted_in_are_listed(client, cac):
    OrganisationFactory(
        name="Réseau Solidaire",
        acronym="RS",
        city="Marseille",
        website="https://rs.example.org",
        directory_description="Entraide entre associations de quartier",
        directory_opt_in=True,
    )
    OrganisationFactory(name="Association Discrète", directory_opt_in=False)
    IndividualFactory(last_name="Particulier")
    page = client.get("/annuaire/").content.decode()
    assert "Réseau Solidaire" in page and "(RS)" in page
    assert "Entraide entre associations de quartier" in page
    assert "Marseille" in page and 'href="https://rs.example.org"' in page
    assert "Association Discrète" not in page
    assert "Particulier" not in page
    assert "1 organisation" in page


def test_closed_members_leave_the_directory(client, cac):
    from django.utils import timezone

    OrganisationFactory(name="Dissoute", directory_opt_in=True, closed_at=timezone.now())
    assert "Dissoute" not in client.get("/annuaire/").content.decode()


def test_search_by_name_acronym_city_or_description(client, cac):
    OrganisationFactory(
        name="Les Jardins Partagés", acronym="LJP", city="Lille", directory_opt_in=True
    )
    OrganisationFactory(
        name="Culture Pour Tous", acronym="CPT", city="Nantes", directory_opt_in=True
    )
    for query in ("jardins", "ljp", "LILLE"):
        page = client.get("/annuaire/", {"q": query}).content.decode()
        assert "Les Jardins Partagés" in page and "Culture Pour Tous" not in page
    page = client.get("/annuaire/", {"q": "introuvable"}).content.decode()
    assert "Aucune organisation ne correspond" in page


def test_pagination_keeps_the_search_and_the_query_count_constant(client, cac):
    for n in range(45):
        OrganisationFactory(name=f"Asso {n:02d}", city="Paris", directory_opt_in=True)
    # The first page of a process reads the collective, then kept between requests.
    client.get("/annuaire/")
    with CaptureQueriesContext(connection) as first:
        page = client.get("/annuaire/", {"q": "asso"}).content.decode()
    assert "Asso 00" in page and "Asso 20" not in page
    assert "Page 1 sur 3" in page
    assert "?q=asso&amp;page=2" in page
    with CaptureQueriesContext(connection) as last:
        page = client.get("/annuaire/", {"q": "asso", "page": "3"}).content.decode()
    assert "Asso 44" in page and "Asso 39" not in page
    assert len(first) == len(last)
    for n in range(45, 90):
        OrganisationFactory(name=f"Asso {n:02d}", city="Paris", directory_opt_in=True)
    with CaptureQueriesContext(connection) as more:
        client.get("/annuaire/", {"q": "asso"})
    assert len(more) == len(first)


def test_bad_page_numbers_do_not_fail(client, cac):
    for page in ("0", "-1", "abc", "99999"):
        assert client.get("/annuaire/", {"page": page}).status_code == 200


def _field_errors(html, field_id):
    """The error list the page shows next to the field `field_id`."""
    start = html.index(f'id="{field_id}_error"')
    return html[start : html.index("</ul>", start)]


def test_a_nul_byte_or_a_control_character_is_refused_next_to_the_search_box(client, cac):
    OrganisationFactory(name="Les Jardins Partagés", directory_opt_in=True)
    for query in ("jardins\x00", "\x00", "jar\x07dins", "x" * 101):
        response = client.get("/annuaire/", {"q": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert _field_errors(html, "directory-q")
        # The list stays readable: the search is left out, not the page.
        assert "Les Jardins Partagés" in html
    html = client.get("/annuaire/", {"q": "jar\x07dins"}).content.decode()
    assert "caractère invisible" in _field_errors(html, "directory-q")
    # Tabs and line breaks pasted with a name are only spaces.
    html = client.get("/annuaire/", {"q": "  les\tjardins\n"}).content.decode()
    assert 'id="directory-q_error"' not in html and "Les Jardins Partagés" in html
