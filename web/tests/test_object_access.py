"""web.permissions.ObjectAccessMixin: 404 outside the selector, 403 for a
visible object the user may not change."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.views.generic import DetailView

from core.selectors import can_toggle_mailing, clients_visible_to, mailings_visible_to
from core.tests.factories import ClientFactory, MailingFactory
from web.permissions import ObjectAccessMixin


class MailingDetail(ObjectAccessMixin, DetailView):
    visible_to = staticmethod(mailings_visible_to)
    template_name = "base.html"


class MailingChange(MailingDetail):
    changes_object = True


class MailingToggle(MailingDetail):
    changes_object = True
    may_change = staticmethod(can_toggle_mailing)


class ClientChange(ObjectAccessMixin, DetailView):
    visible_to = staticmethod(clients_visible_to)
    changes_object = True
    template_name = "base.html"


def outcome(view_class, user, obj):
    request = RequestFactory().get("/")
    request.user = user
    try:
        response = view_class.as_view()(request, pk=obj.pk)
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return response.status_code


@pytest.fixture
def mailing(owner):
    return MailingFactory(owner=owner)


def test_the_owner_sees_and_changes_their_mailing(owner, mailing):
    assert [outcome(view, owner, mailing) for view in (MailingDetail, MailingChange, MailingToggle)] == [200] * 3


def test_another_plain_user_gets_404_everywhere(other_user, mailing):
    assert [outcome(view, other_user, mailing) for view in (MailingDetail, MailingChange, MailingToggle)] == [404] * 3
    assert outcome(ClientChange, other_user, ClientFactory(owner=mailing.owner)) == 404


def test_a_manager_reads_and_toggles_but_gets_403_for_changing(manager, mailing):
    assert outcome(MailingDetail, manager, mailing) == 200
    assert outcome(MailingChange, manager, mailing) == 403
    assert outcome(MailingToggle, manager, mailing) == 200
    assert outcome(ClientChange, manager, ClientFactory(owner=mailing.owner)) == 404


def test_an_admin_changes_anything(admin_user, mailing):
    assert outcome(MailingChange, admin_user, mailing) == 200
    assert outcome(ClientChange, admin_user, ClientFactory(owner=mailing.owner)) == 200


def test_anonymous_visitors_see_nothing(mailing, db):
    assert outcome(MailingDetail, AnonymousUser(), mailing) == 404


def test_a_view_without_a_selector_is_a_configuration_error(owner, mailing):
    class Forgotten(ObjectAccessMixin, DetailView):
        template_name = "base.html"

    with pytest.raises(ImproperlyConfigured):
        outcome(Forgotten, owner, mailing)
