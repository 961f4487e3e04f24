"""One status vocabulary: a disabled mailing is "disabled" on the pages, in the
API, in the reports and their CSV, and the status filters offer it."""

import csv
import io

import pytest
from django.urls import reverse

from core.models import Mailing
from core.tests.factories import MailingFactory

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mailings(owner):
    created = MailingFactory(owner=owner)
    disabled = MailingFactory(owner=owner, is_active=False)
    finished_then_disabled = MailingFactory(owner=owner, is_active=False)
    Mailing.objects.filter(pk=finished_then_disabled.pk).update(status="finished")
    return created, disabled, finished_then_disabled


def test_every_face_says_disabled(api, client, owner, mailings):
    created, disabled, finished_then_disabled = mailings
    json_client = api.as_(owner)
    assert json_client.get(f"/api/mailings/{disabled.pk}/").json()["status"] == "disabled"
    listed = {row["id"]: row["status"] for row in json_client.get("/api/mailings/").json()["results"]}
    assert listed == {created.pk: "created", disabled.pk: "disabled", finished_then_disabled.pk: "disabled"}
    reported = {row["mailing"]: row["status"] for row in json_client.get("/api/reports/").json()["results"]}
    assert reported == listed

    export = json_client.get("/api/reports/export/", HTTP_ACCEPT="text/csv").content.decode()
    rows = {int(row["mailing"]): row["status"] for row in csv.DictReader(io.StringIO(export))}
    assert rows == listed

    client.force_login(owner)
    page = client.get(reverse("mailings")).content.decode()
    assert page.count(">Disabled</span>") == 2 and page.count(">Created</span>") == 1


@pytest.mark.parametrize("resource", ["mailings", "reports"])
def test_status_filters_choose_by_the_shown_status(api, client, owner, mailings, resource):
    created, disabled, finished_then_disabled = mailings
    key = "id" if resource == "mailings" else "mailing"

    def ids(status):
        rows = api.as_(owner).get(f"/api/{resource}/?status={status}").json()["results"]
        return sorted(row[key] for row in rows)

    assert ids("disabled") == sorted([disabled.pk, finished_then_disabled.pk])
    assert ids("created") == [created.pk]
    assert ids("finished") == []

    client.force_login(owner)
    form = client.get(f"/api/{resource}/", **HX).content.decode()
    assert '<option value="disabled">Disabled</option>' in form
