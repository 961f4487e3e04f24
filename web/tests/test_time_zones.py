"""The time zone list: canonical zones only, grouped by region with their UTC
offset; the same rule for the pages, the API and the model."""

import re
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import PASSWORD
from core.validators import validate_time_zone

NOT_CANONICAL = ["Factory", "localtime", "Etc/GMT+1", "US/Eastern", "posixrules", "GMT", "Asia/Calcutta"]


@pytest.mark.parametrize("zone", NOT_CANONICAL)
def test_zones_that_are_not_canonical_are_refused_everywhere(zone, owner, client):
    with pytest.raises(ValidationError):
        validate_time_zone(zone)
    api = APIClient()
    api.force_authenticate(owner)
    answer = api.patch(reverse("api:auth:me"), {"time_zone": zone}, format="json")
    assert answer.status_code == 400 and "time_zone" in answer.json()
    data = {"email": "new@example.com", "full_name": "New", "password": PASSWORD, "time_zone": zone}
    assert "time_zone" in APIClient().post(reverse("api:auth:register"), data, format="json").json()
    client.force_login(owner)
    page = client.post(reverse("profile"), {"full_name": "Owner", "time_zone": zone})
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()
    owner.refresh_from_db()
    assert owner.time_zone == "Europe/Berlin"


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Kolkata"])
def test_canonical_zones_are_accepted(zone):
    validate_time_zone(zone)


def test_sign_up_lists_canonical_zones_by_region_with_their_offset_now(client, db, time_machine):
    time_machine.move_to(datetime(2026, 7, 1, 12, tzinfo=UTC))
    page = client.get(reverse("signup")).content.decode()
    select = re.search(r'<select name="time_zone".*?</select>', page, re.S).group(0)
    values = re.findall(r'<option value="([^"]+)"', select)
    assert not set(values) & set(NOT_CANONICAL)
    assert values[0] == "UTC" and 300 < len(values) < 500
    berlin = r'<optgroup label="Europe">.*<option value="Europe/Berlin"[^>]*>Berlin \(UTC\+02:00\)'
    assert re.search(berlin, select, re.S)
    assert '<option value="Asia/Kolkata">Kolkata (UTC+05:30)</option>' in select
    assert '<option value="America/St_Johns">St Johns (UTC-02:30)</option>' in select
    assert "Argentina / Buenos Aires (UTC-03:00)" in select
    time_machine.move_to(datetime(2026, 1, 15, 12, tzinfo=UTC))
    assert "Berlin (UTC+01:00)" in client.get(reverse("signup")).content.decode()


def test_an_account_with_a_retired_zone_keeps_it_until_another_is_chosen(client, owner):
    type(owner).objects.filter(pk=owner.pk).update(time_zone="US/Eastern")
    client.force_login(owner)
    page = client.get(reverse("profile")).content.decode()
    assert '<option value="US/Eastern" selected>' in page
    refused = client.post(reverse("profile"), {"full_name": "Owner", "time_zone": "US/Eastern"}).content.decode()
    assert "is not a known time zone" in refused
    client.post(reverse("profile"), {"full_name": "Owner", "time_zone": "America/New_York"})
    owner.refresh_from_db()
    assert owner.time_zone == "America/New_York"
