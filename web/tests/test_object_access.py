"""web.permissions.ObjectAccessMixin: 404 outside the selector."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.test import RequestFactory
from django.views.generic import DetailView

from core.selectors import clients_visible_to, mailings_visible_to
from core.tests.factories import ClientFactory, MailingFactory
from web.permissions import ObjectAccessMixin


class MailingDetail(ObjectAccessMixin, DetailView):
    visible_to = staticmethod(mailings_visible_to)
    template_name = "base.html"


class ClientDetail(ObjectAccessMixin, DetailView):
    visible_to = staticmethod(clients_visible_to)
    template_name = "base.html"


def outcome(view_class, user, obj):
    request = RequestFactory().get("/")
    request.user = user
    try:
        response = view_class.as_view()(request, pk=obj.pk)
    except Http404:
        return 404
    return response.status_code


@pytest.fixture
def mailing(owner):
    return MailingFactory(owner=owner)


def test_the_owner_sees_their_mailing_and_client(owner, mailing):
    assert outcome(MailingDetail, owner, mailing) == 200
    assert outcome(ClientDetail, owner, ClientFactory(owner=owner)) == 200


def test_another_plain_user_gets_404(other_user, mailing):
    assert outcome(MailingDetail, other_user, mailing) == 404
    assert outcome(ClientDetail, other_user, ClientFactory(owner=mailing.owner)) == 404


def test_a_manager_sees_every_mailing_but_not_other_users_clients(manager, mailing):
    assert outcome(MailingDetail, manager, mailing) == 200
    assert outcome(ClientDetail, manager, ClientFactory(owner=mailing.owner)) == 404


def test_anonymous_visitors_see_nothing(mailing, db):
    assert outcome(MailingDetail, AnonymousUser(), mailing) == 404


def test_a_view_without_a_selector_is_a_configuration_error(owner, mailing):
    class Forgotten(ObjectAccessMixin, DetailView):
        template_name = "base.html"

    with pytest.raises(ImproperlyConfigured):
        outcome(Forgotten, owner, mailing)
