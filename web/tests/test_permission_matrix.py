"""Every URL of the `web` (with the mail's addresses) and `api` URLconfs, requested by every actor, must
answer the status that permission_expectations.EXPECTATIONS gives it. The URL
patterns come from the resolver, so a new endpoint without a row fails here."""

import json
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client as Browser
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import Attempt, Client, ClientList, Mailing, Message, MessageFormat, User
from core.services.accounts.links import encode_uid
from core.tests.factories import ClientFactory, MailingFactory
from web.tests.permission_expectations import ACTORS, EXPECTATIONS, KWARGS

COVERED_URLCONFS = {"web.urls", "web.mail_urls", "api.urls"}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    kwargs: tuple[str, ...]


def _arguments(pattern) -> tuple[str, ...]:
    # Route patterns name their arguments as converters; regex patterns (DRF's
    # routers) as named groups.
    return tuple(getattr(pattern.pattern, "converters", None) or pattern.pattern.regex.groupindex)


def _walk(patterns, *, prefix="", namespace="", urlconf="", kwargs=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            module = getattr(pattern.urlconf_name, "__name__", pattern.urlconf_name)
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(
                pattern.url_patterns,
                prefix=prefix + str(pattern.pattern),
                namespace=inner,
                urlconf=urlconf or str(module),
                kwargs=kwargs + _arguments(pattern),
            )
        elif isinstance(pattern, URLPattern) and urlconf in COVERED_URLCONFS:
            route = prefix + str(pattern.pattern)
            name = f"{namespace}{pattern.name}" if pattern.name else f"(unnamed) {route}"
            yield Route(name, route, kwargs + _arguments(pattern))


def covered_routes() -> dict[str, Route]:
    """The first pattern for each name (DRF's format-suffix twins share it)."""
    routes: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns):
        routes.setdefault(route.name, route)
    return routes


ROUTES = covered_routes()


def test_every_url_has_an_expectation_and_every_expectation_a_url():
    assert sorted(set(ROUTES) - set(EXPECTATIONS)) == [], "add these URL names to permission_expectations.py"
    assert sorted(set(EXPECTATIONS) - set(ROUTES)) == [], "these rows name URLs that no longer exist"


def test_the_walk_sees_both_urlconfs_and_nothing_else():
    names = set(ROUTES)
    assert {"home", "login", "api:auth:me", "api:schema"} <= names
    assert not any(name.startswith(("admin:", "blog:")) or "set_language" in name for name in names)


class Scene:
    """The actors and the objects of `owner` that URLs point at."""

    def __init__(self, actors: dict[str, User | None]):
        self.actors = actors
        self.owner = actors["owner"]
        self.client = ClientFactory(owner=self.owner)
        self.mailing = MailingFactory(owner=self.owner, clients=[self.client])
        self.message = self.mailing.message
        self.message.format = MessageFormat.MARKDOWN  # so that its HTML part can be looked at
        self.message.save(update_fields=["format"])
        self.attempt = Attempt.objects.create(mailing=self.mailing, client=self.client, run_at=self.mailing.start_at)
        self.client_list = ClientList.objects.create(owner=self.owner, name="Matrix list")
        self.client_list.clients.set([self.client])
        self.mailing.lists.set([self.client_list])

    def public_list_token(self) -> str:
        self.client_list.is_public = True
        self.client_list.save(update_fields=["is_public"])
        return self.client_list.signup_token

    def object_for(self, url_name: str):
        if url_name.startswith("api:list-"):  # before "client": api:list-clients is about the list
            return self.client_list
        for word, obj in (
            ("attempt", self.attempt),
            ("client", self.client),
            ("message", self.message),
            ("mailing", self.mailing),
            ("report", self.mailing),
            ("user", self.owner),
        ):
            if word in url_name:
                return obj
        raise LookupError(f"No object for {url_name!r}: add KWARGS[{url_name!r}] in permission_expectations.py")

    def kwargs_for(self, route: Route) -> dict:
        if route.name in KWARGS:
            return KWARGS[route.name](self)
        defaults = {
            "pk": lambda: self.object_for(route.name).pk,
            "uidb64": lambda: encode_uid(self.owner),
            "token": lambda: "dummy-token",
            "format": lambda: "json",
        }
        missing = [name for name in route.kwargs if name not in defaults]
        if missing:
            raise LookupError(f"Add KWARGS[{route.name!r}] for {missing} in permission_expectations.py")
        return {name: defaults[name]() for name in route.kwargs}


@pytest.fixture
def scene(owner, other_user, manager, content_manager, admin_user):
    users = {
        "anonymous": None,
        "owner": owner,
        "other_user": other_user,
        "manager": manager,
        "content_manager": content_manager,
        "admin": admin_user,
    }
    return Scene(users)


def answer(actor: User | None, method: str, url: str, data: dict | None, as_json: bool) -> int:
    """One request, rolled back afterwards so it changes nothing for the next."""
    with transaction.atomic():
        browser = Browser()
        if actor is not None:
            browser.force_login(actor)
        send = getattr(browser, method.lower())
        if method == "GET":
            response = send(url)
        elif as_json:
            response = send(url, json.dumps(data or {}), content_type="application/json")
        elif method == "POST":
            response = send(url, data or {})
        else:
            response = send(url)
        transaction.set_rollback(True)
    return response.status_code


@pytest.mark.parametrize("name", sorted(set(ROUTES) & set(EXPECTATIONS)))
def test_permission_matrix(scene, name):
    route = ROUTES[name]
    url = reverse(name, kwargs=scene.kwargs_for(route))
    expected, actual = {}, {}
    for check in EXPECTATIONS[name]:
        for actor in ACTORS:
            key = f"{check.method} {actor}"
            expected[key] = check.expect[actor]
            actual[key] = answer(scene.actors[actor], check.method, url, check.data, name.startswith("api:"))
    assert actual == expected
    # Nothing leaked out of the rolled-back requests.
    assert Client.objects.filter(pk=scene.client.pk).exists()
    assert ClientList.objects.filter(pk=scene.client_list.pk, clients=scene.client).exists()
    assert Message.objects.filter(pk=scene.message.pk).exists()
    assert Mailing.objects.filter(pk=scene.mailing.pk, is_active=True).exists()
    assert User.objects.filter(pk=scene.owner.pk, is_active=True).exists()
