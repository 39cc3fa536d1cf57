import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, RequestStatus, RequestType
from enrolment.models import Request
from enrolment.services.invitation import enrolment_invite
from mutuelle.models import OutboxMessage

pytestmark = pytest.mark.django_db


def url(name, company, *args):
    return reverse(f"employer_portal:{name}", args=[company.pk, *args])


def test_home_counters_contracts_and_last_requests(
    hr, company, make_enrolment, django_assert_max_num_queries
):
    make_enrolment(status=EnrolmentStatus.ACTIVE)
    make_enrolment(status=EnrolmentStatus.ACTIVE)
    make_enrolment(invited=True)
    make_enrolment(status=EnrolmentStatus.SIGNED)
    make_enrolment(status=EnrolmentStatus.DISPENSED)
    make_enrolment(status=EnrolmentStatus.PORTABILITY)
    with django_assert_max_num_queries(10):
        response = hr.get(url("home", company))
    assert response.context["counters"] == {
        "affiliated": 2,
        "waiting": 1,
        "processing": 1,
        "dispensed": 1,
        "portability": 1,
    }
    html = response.content.decode()
    assert "Complémentaire santé" in html
    assert "Demande du " in html
    assert "Ajouter des salariés" in html
    assert company.account_manager.email in html
    assert "09\u00a080\u00a098\u00a098\u00a022" in html
    for label in ("Mes demandes", "Mes collaborateurs", "Mes documents"):
        assert label in html


def test_counters_in_one_query_then_cached_until_an_enrolment_is_written(
    company, make_enrolment, django_assert_num_queries
):
    from employer_portal.selectors import company_counters

    make_enrolment(status=EnrolmentStatus.ACTIVE)
    contracts = list(company.contracts.all())
    with django_assert_num_queries(1):
        assert company_counters(company, contracts)["affiliated"] == 1
    with django_assert_num_queries(0):
        assert company_counters(company, contracts)["affiliated"] == 1
    second = make_enrolment(status=EnrolmentStatus.INVITED)
    with django_assert_num_queries(1):
        assert company_counters(company, contracts)["waiting"] == 1
    second.debit_day = 10
    second.save(update_fields=["debit_day"])
    with django_assert_num_queries(0):
        company_counters(company, contracts)
    second.status = EnrolmentStatus.ACTIVE
    second.save(update_fields=["status", "updated_at"])
    assert company_counters(company, contracts)["affiliated"] == 2
    second.delete()
    assert company_counters(company, contracts) == {
        "affiliated": 1,
        "waiting": 0,
        "processing": 0,
        "dispensed": 0,
        "portability": 0,
    }


def test_counters_cached_before_the_commit_are_dropped_at_commit(
    company, make_enrolment, django_capture_on_commit_callbacks
):
    """A page of another connection counting between a write and its commit saw the
    old rows: what it cached under the token drawn meanwhile is dropped at commit."""
    from django.core.cache import cache

    from employer_portal.selectors import company_counters, company_counters_key

    enrolment = make_enrolment(status=EnrolmentStatus.INVITED)
    health = [enrolment.contract_id]
    with django_capture_on_commit_callbacks() as callbacks:
        enrolment.status = EnrolmentStatus.ACTIVE
        enrolment.save()
        before_commit = {"affiliated": 0, "waiting": 1}
        cache.set(company_counters_key(company, health), before_commit)
        assert company_counters(company) == before_commit
    for callback in callbacks:
        callback()
    assert company_counters(company)["affiliated"] == 1


def test_request_list_filters_search_and_pagination(
    hr, company, make_enrolment, django_assert_max_num_queries
):
    for i in range(30):
        make_enrolment(employee__last_name=f"Nom{i:02d}", invited=True)
    make_enrolment(employee__last_name="Zola", status=EnrolmentStatus.ACTIVE)
    Request.objects.filter(employee__last_name="Zola").update(status=RequestStatus.CLOSED)
    with django_assert_max_num_queries(12):
        response = hr.get(url("requests", company))
    assert response.context["page"].paginator.count == 31
    assert len(response.context["page"].object_list) == 25
    html = response.content.decode()
    assert "Jours restants avant expiration : 60 jours" in html
    assert "Relancer" in html
    page2 = hr.get(url("requests", company), {"page": 2})
    assert len(page2.context["page"].object_list) == 6
    closed = hr.get(url("requests", company), {"status": RequestStatus.CLOSED})
    assert [r.employee.last_name for r in closed.context["page"]] == ["Zola"]
    by_name = hr.get(url("requests", company), {"q": "zola"})
    assert by_name.context["page"].paginator.count == 1
    number = closed.context["page"][0].number
    by_number = hr.get(url("requests", company), {"q": number})
    assert [r.number for r in by_number.context["page"]] == [number]
    terminations = hr.get(url("requests", company), {"type": RequestType.TERMINATION})
    assert terminations.context["page"].paginator.count == 0


def test_dispense_filter_disabled_unless_contract_allows(hr, company, group):
    html = hr.get(url("requests", company)).content.decode()
    assert 'value="dispense"  disabled' in html or 'value="dispense" disabled' in html
    response = hr.get(url("requests", company), {"type": "dispense"})
    assert response.context["filter"].errors
    group.contract.dispensation_enabled = True
    group.contract.save()
    html = hr.get(url("requests", company)).content.decode()
    assert "disabled aria-describedby" not in html


def test_remind_sends_and_second_within_24h_refused(
    hr, access, company, make_enrolment, django_capture_on_commit_callbacks
):
    enrolment = make_enrolment()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_invite(enrolment=enrolment)
    request = enrolment.requests.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(url("request_remind", company, request.pk), follow=True)
    html = response.content.decode()
    assert "Votre demande a bien été prise en compte" in html
    assert "Le mail de relance permettant au salarié de finaliser son affiliation" in html
    assert OutboxMessage.objects.filter(key__startswith="manual-reminder").count() == 1
    response = hr.post(url("request_remind", company, request.pk), follow=True)
    assert "moins de 24 heures" in response.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        hr.force_login(access.user)  # the session has expired meanwhile
        hr.post(url("request_remind", company, request.pk))
    assert OutboxMessage.objects.filter(key__startswith="manual-reminder").count() == 2


def test_remind_redirect_ignores_foreign_next(hr, company, make_enrolment):
    enrolment = make_enrolment(invited=True)
    request = enrolment.requests.get()
    response = hr.post(
        url("request_remind", company, request.pk), {"next": "https://evil.example/"}
    )
    assert response.url == url("requests", company)


def test_request_detail_history_and_cancel(
    hr, company, make_enrolment, django_assert_max_num_queries
):
    enrolment = make_enrolment(invited=True)
    request = enrolment.requests.get()
    request.move_to(request.status, label="Note interne", visible_to_employer=False)
    request.move_to(request.status, label="Invitation envoyée au salarié")
    with django_assert_max_num_queries(10):
        response = hr.get(url("request_detail", company, request.pk))
    html = response.content.decode()
    assert "Historique de la demande" in html
    assert "Invitation envoyée au salarié" in html
    assert "Note interne" not in html
    assert "Annuler la pré-affiliation" in html
    # The link asks for confirmation first: nothing is cancelled by a GET.
    confirmation = hr.get(url("request_cancel", company, request.pk)).content.decode()
    assert "Confirmer l'annulation" in confirmation and "Ne pas annuler" in confirmation
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.INVITED
    response = hr.post(url("request_cancel", company, request.pk), {"note": "Erreur"}, follow=True)
    assert "a été annulée" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED
    response = hr.post(url("request_cancel", company, request.pk), follow=True)
    assert "elle ne peut plus être annulée" in response.content.decode()


def test_pages_need_login(client, company):
    response = client.get(url("requests", company))
    assert response.status_code == 302
    assert "/compte/" in response.url
