"""What the adhesion form costs: its queries (constant, few), the member lookup by email through
its index, the member's constraints checked in one query, the confirmation email sent by a
worker after the response. Nothing here is timed: `make bench` measures the speed."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dues.services.pledges import create_member, find_member
from members.models import Member, MemberKind
from tests.factories import IndividualFactory
from tests.helpers import individual_post, organisation_post

URL = "/adhesion/"

# Before: 8 queries per GET (the tier list three times, the charter, its principles, the
# privacy notice, the scale, the collective) and 51 to 65 per POST.
GET_QUERIES = 0
POST_QUERIES = 22


def test_the_blank_form_costs_no_query_once_read(client, cac, django_assert_num_queries):
    client.get(URL)
    with django_assert_num_queries(GET_QUERIES):
        response = client.get(URL)
    assert response.status_code == 200
    assert 'name="ind-last_name"' in response.content.decode()


def test_the_blank_form_is_drawn_once_but_each_visitor_gets_a_key_of_their_own(client, cac):
    first = client.get(URL).context["form"]["submission_key"].value()
    second = client.get(URL)
    assert second.context["form"]["submission_key"].value() != first
    assert f'value="{first}"' not in second.content.decode()


def test_a_submission_costs_a_bounded_number_of_queries(client, cac, django_assert_max_num_queries):
    client.get(URL)
    client.post(URL, individual_post(**{"ind-email": "first@example.org"}))
    with django_assert_max_num_queries(POST_QUERIES):
        response = client.post(URL, individual_post(**{"ind-email": "second@example.org"}))
    assert response.status_code == 302
    assert Member.objects.filter(email="second@example.org").exists()


def test_an_organisation_with_two_correspondents_costs_a_bounded_number_of_queries(
    client, cac, django_assert_max_num_queries
):
    client.get(URL)
    # One more query per correspondent: its constraints checked.
    with django_assert_max_num_queries(POST_QUERIES + 4):
        response = client.post(URL, organisation_post())
    assert response.status_code == 302


def test_the_email_is_found_whatever_its_case(cac):
    member = IndividualFactory(email="Lea.Durand@Example.org")
    assert find_member("lea.durand@example.ORG", MemberKind.INDIVIDUAL) == member
    assert find_member("  LEA.DURAND@EXAMPLE.ORG ", MemberKind.INDIVIDUAL) == member
    assert find_member("lea.durand@example.org", MemberKind.ORGANISATION) is None
    assert find_member("lea@example.org", MemberKind.INDIVIDUAL) is None


@pytest.mark.postgres
def test_the_email_lookup_reads_the_index(cac):
    IndividualFactory(email="lea@example.org")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    with CaptureQueriesContext(connection) as queries:
        find_member("LEA@example.org", MemberKind.INDIVIDUAL)
    sql = queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "member_email_upper_idx" in plan, plan


def test_the_member_constraints_are_checked_in_one_query(cac):
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as error:
        create_member(
            MemberKind.ORGANISATION,
            {"name": "", "email": "x@example.org"},
            actor=None,
            source="online",
        )
    assert "Une personne morale doit avoir un nom." in error.value.messages
    assert not Member.objects.exists()
    assert len(queries) == 1


def test_the_confirmation_email_leaves_after_the_response(
    client, cac, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(URL, individual_post())
    assert response.status_code == 302
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["lea@example.org"]]


def test_the_confirmation_task_is_sent_by_name_and_skips_a_gone_pledge(client, cac):
    from cac_portal.celery import app as celery_app

    client.post(URL, individual_post())
    mail.outbox.clear()
    pledge = Member.objects.get().pledges.get()
    task = celery_app.tasks["dues.tasks.send_pledge_confirmation"]
    assert task.apply(args=[pledge.pk]).get() is True
    assert len(mail.outbox) == 1
    assert task.apply(args=[pledge.pk + 1000]).get() is False
