"""The permission matrix: the expected HTTP status of every URL of the `web`
(with the addresses in the mail we send) and `api` URLconfs, for every actor. Read by test_permission_matrix.py, which
walks the URL resolver, builds a concrete URL for each pattern and requests it
as each actor. A pattern without a row here FAILS the test (so a new endpoint
cannot slip in unchecked), and so does a row whose pattern is gone.

How to add a row
----------------
The key is the full URL name as `reverse()` takes it ("profile",
"api:auth:me", "api:mailing-detail"). The value is a list of checks::

    "api:mailing-detail": [
        get(statuses(anonymous=401, owner=200, other_user=404, manager=200, content_manager=404, admin=200)),
        patch({"periodicity": "daily"}, statuses(401, 200, 404, 403, 404, 200)),
        delete(statuses(401, 204, 404, 403, 404, 204)),
    ],

- Actors, always in this order: anonymous, owner, other_user, manager,
  content_manager, admin (the conftest fixtures; `owner` is a plain user who
  owns the objects in the URLs).
- `everyone(200)` gives every actor the same status; `signed_in(200)` gives
  every signed-in actor 200 and the anonymous visitor 302 (to the log-in page),
  or what you pass as `anonymous=` (401 for the API).
- `get(expect)`, `post(data, expect)`, `put(...)`, `patch(...)`,
  `delete(expect, data=None)`. Data goes as a form to page URLs and as JSON to
  `api:` URLs.
- URL arguments are filled in by name: `pk` is the pk of the object of
  `owner` that the URL name mentions (a name with "client" gets owner's
  client; "message", "mailing" or "report", "attempt", "user" likewise);
  `uidb64` is owner's uid, `token` a dummy token, `format` is "json". For
  anything else add `KWARGS["name"] = lambda scene: {...}` (see Scene in the
  test module for the objects on hand).

Every request runs in a transaction that is rolled back afterwards, so what
one actor changes (a POST, a DELETE) does not change what the next one sees.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import PASSWORD
from core.dispatch.tracking import click_token, open_token
from core.models import MessageImage, TestAddress, TrackedLink
from core.services.deliverability import unsubscribe_token
from core.services.images import image_create
from core.services.proof_addresses import confirmation_token
from core.tests.images import image_bytes

ACTORS = ("anonymous", "owner", "other_user", "manager", "content_manager", "admin")
NEW_PASSWORD = "matrix-Passphrase-2026"


@dataclass(frozen=True)
class Check:
    method: str
    expect: dict[str, int]
    data: dict | None = field(default=None)


def statuses(anonymous: int, owner: int, other_user: int, manager: int, content_manager: int, admin: int):
    return dict(zip(ACTORS, (anonymous, owner, other_user, manager, content_manager, admin), strict=True))


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ACTORS, status)


def signed_in(status: int, anonymous: int = 302) -> dict[str, int]:
    return {**everyone(status), "anonymous": anonymous}


def get(expect):
    return Check("GET", expect)


def post(data, expect):
    return Check("POST", expect, data)


def put(data, expect):
    return Check("PUT", expect, data)


def patch(data, expect):
    return Check("PATCH", expect, data)


def delete(expect, data=None):
    return Check("DELETE", expect, data)


SIGN_UP = {"email": "matrix@example.com", "full_name": "Matrix", "password": PASSWORD, "time_zone": "UTC"}
NEW_USER = {**SIGN_UP, "role": "User"}
EDIT_USER = {"email": "edited@example.com", "full_name": "Edited", "time_zone": "UTC", "role": "User"}
MANAGERS = statuses(302, 403, 403, 200, 403, 200)
ADMINS = statuses(302, 403, 403, 403, 403, 200)
ADMINS_REDIRECTED = statuses(302, 403, 403, 403, 403, 302)
API_SIGNED_IN = signed_in(200, anonymous=401)
API_CREATED = signed_in(201, anonymous=401)
API_MANAGERS = statuses(401, 403, 403, 200, 403, 200)
OWN = statuses(401, 200, 404, 404, 404, 200)
SEEN_BY_MANAGERS = statuses(401, 200, 404, 200, 404, 200)
CHANGED_BY_OWNER = statuses(401, 200, 404, 403, 404, 200)
# djoser's user endpoints ask for a log-in before they look at the method.
POST_ONLY = signed_in(405, anonymous=401)

EXPECTATIONS: dict[str, list[Check]] = {
    # Public pages
    "home": [get(everyone(200))],
    # A recipient's unsubscribe page, from the link in every message (the token is the only key; no CSRF:
    # mailbox providers send the one-click POST without cookies)
    "unsubscribe": [get(everyone(200)), post({}, everyone(200))],
    "resubscribe": [get(everyone(405)), post({}, everyone(200))],
    # A tracked mailing's link and image, as its recipient follows and loads them (the token is the only key)
    "tracked-link": [get(everyone(302)), post({}, everyone(405))],
    "tracked-open": [get(everyone(200)), post({}, everyone(405))],
    # An image of a Markdown message, as a mail client loads it (the random name is the only key)
    "message-image": [get(everyone(200)), post({}, everyone(405))],
    # Accounts (pages)
    "signup": [get(signed_in(302, anonymous=200)), post(SIGN_UP, everyone(302))],
    "signup-done": [get(everyone(200))],
    "verify-email": [get(everyone(400))],  # a dummy token
    # A test address's confirmation link (a real one, for owner's address): the signed link is the only key
    "test-address-confirm": [get(everyone(200)), post({}, everyone(200))],
    "resend-verification": [get(everyone(200)), post({"email": "owner@example.com"}, everyone(302))],
    "login": [
        get(signed_in(302, anonymous=200)),
        post({"username": "owner@example.com", "password": PASSWORD}, everyone(302)),
    ],
    "logout": [get(everyone(405)), post({}, everyone(302))],
    "password-reset": [get(everyone(200)), post({"email": "owner@example.com"}, everyone(302))],
    "password-reset-done": [get(everyone(200))],
    "password-reset-confirm": [get(everyone(200))],  # a dummy token: the page says the link does not work
    "password-change": [
        get(signed_in(200)),
        post({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, signed_in(302)),
    ],
    "profile": [get(signed_in(200)), post({"full_name": "Renamed", "time_zone": "UTC"}, signed_in(302))],
    "api-token-create": [get(signed_in(405)), post({}, signed_in(200))],
    "api-token-revoke": [get(signed_in(405)), post({}, signed_in(302))],
    "account-delete": [get(signed_in(200)), post({"password": PASSWORD}, signed_in(302))],
    # A public list's sign-up page (the scene's list made public) and its email's link (a dummy one)
    "subscribe": [
        get(everyone(200)),
        post({}, everyone(400)),  # the form's messages
        post({"email": "matrix-signup@example.com", "full_name": "Matrix"}, everyone(200)),  # "check your email"
    ],
    "subscribe-confirm": [get(everyone(400)), post({}, everyone(400))],
    # Page shells of the resources (their content comes from the api fragments)
    "mailings": [get(signed_in(200))],
    "mailing": [get(statuses(302, 200, 404, 200, 404, 200))],
    "clients": [get(signed_in(200))],
    "lists": [get(signed_in(200))],
    "messages": [get(signed_in(200))],
    "reports": [get(signed_in(200))],
    "manager-mailings": [get(MANAGERS)],
    # User screens (the user in the URL is `owner`)
    "manage-users": [get(MANAGERS)],
    "manage-user-create": [get(ADMINS), post(NEW_USER, ADMINS_REDIRECTED)],
    "manage-user-edit": [get(ADMINS), post(EDIT_USER, ADMINS_REDIRECTED)],
    "manage-user-delete": [get(ADMINS), post({}, ADMINS_REDIRECTED)],
    "manage-user-block": [
        get(statuses(302, 403, 403, 200, 403, 200)),  # the confirmation, with a reason to give
        post({"blocked": "1"}, statuses(302, 403, 403, 302, 403, 302)),
    ],
    # API: schema and docs
    "api:schema": [get(everyone(200))],
    "api:docs": [get(everyone(200))],
    # API: resources. Plain users see only their own (404 otherwise); managers read every
    # mailing, attempt and report, may enable/disable any mailing, change nothing else (403);
    # content managers are plain users here; admins do everything.
    "api:client-list": [get(API_SIGNED_IN), post({"email": "new@example.com", "full_name": "New"}, API_CREATED)],
    "api:client-export": [get(API_SIGNED_IN)],
    "api:client-form": [get(API_SIGNED_IN)],
    "api:client-import-form": [get(API_SIGNED_IN)],
    "api:client-import-csv": [post({}, signed_in(415, anonymous=401))],  # takes a CSV upload, not JSON
    # an empty body: everyone signed in reaches the checks; all_matching only ever reaches one's own clients
    "api:client-bulk": [get(signed_in(405, anonymous=401)), post({}, signed_in(400, anonymous=401))],
    "api:client-bulk-export": [get(signed_in(405, anonymous=401)), post({}, signed_in(400, anonymous=401))],
    "api:client-detail": [
        get(OWN),
        patch({"full_name": "Renamed"}, OWN),
        delete(statuses(401, 409, 404, 404, 404, 409)),  # the client is on a mailing
    ],
    "api:client-confirm-delete": [get(OWN)],
    "api:client-clicks": [get(OWN)],
    "api:client-edit-form": [get(OWN)],
    "api:client-remove-from-mailings": [post({}, OWN)],
    "api:list-list": [get(API_SIGNED_IN), post({"name": "New list"}, API_CREATED)],
    "api:list-form": [get(API_SIGNED_IN)],
    "api:list-detail": [
        get(OWN),
        patch({"name": "Renamed"}, OWN),
        delete(statuses(401, 409, 404, 404, 404, 409)),  # a mailing is sent to the list
    ],
    "api:list-confirm-delete": [get(OWN)],
    "api:list-edit-form": [get(OWN)],
    # an empty body: the owner (and an admin) reach the checks, nobody else finds the list
    "api:list-clients": [
        get(signed_in(405, anonymous=401)),
        post({}, statuses(401, 400, 404, 404, 404, 400)),
        delete(statuses(401, 400, 404, 404, 404, 400)),
    ],
    "api:list-subscribers": [
        get(signed_in(405, anonymous=401)),
        post({}, statuses(401, 400, 404, 404, 404, 400)),
        post({"email": "matrix-subscriber@example.com", "full_name": "Matrix"}, statuses(401, 201, 404, 404, 404, 201)),
    ],
    "api:list-signup-address": [get(signed_in(405, anonymous=401)), post({}, OWN)],
    "api:message-list": [get(API_SIGNED_IN), post({"subject": "Hi", "body": "Hello"}, API_CREATED)],
    "api:message-form": [get(API_SIGNED_IN)],
    "api:message-detail": [
        get(OWN),
        patch({"subject": "Renamed"}, OWN),
        delete(statuses(401, 409, 404, 404, 404, 409)),  # a mailing sends it
    ],
    "api:message-confirm-delete": [get(OWN)],
    "api:message-edit-form": [get(OWN)],
    "api:message-preview": [get(OWN)],
    "api:message-preview-html": [get(OWN)],  # the scene's message is Markdown: it has an HTML part
    "api:message-send-test": [get(signed_in(405, anonymous=401)), post({}, statuses(401, 202, 404, 404, 404, 202))],
    # uploads are multipart: the matrix's JSON body is refused by its type once the user is known
    "api:image-list": [get(API_SIGNED_IN), post({}, signed_in(415, anonymous=401))],
    "api:image-detail": [get(OWN), delete(OWN | {"owner": 204, "admin": 204})],
    "api:mailing-list": [get(API_SIGNED_IN), post({}, signed_in(400, anonymous=401))],
    "api:mailing-form": [get(API_SIGNED_IN)],
    "api:mailing-detail": [
        get(SEEN_BY_MANAGERS),
        patch({"periodicity": "daily"}, CHANGED_BY_OWNER),
        delete(statuses(401, 204, 404, 403, 404, 204)),
    ],
    "api:mailing-confirm-delete": [get(CHANGED_BY_OWNER)],
    "api:mailing-edit-form": [get(CHANGED_BY_OWNER)],
    "api:mailing-enable": [post({}, SEEN_BY_MANAGERS)],
    "api:mailing-disable": [post({}, SEEN_BY_MANAGERS)],
    "api:mailing-send-now": [post({}, CHANGED_BY_OWNER)],
    "api:mailing-send-test": [post({}, statuses(401, 202, 404, 403, 404, 202))],
    "api:mailing-resend-failed": [post({}, CHANGED_BY_OWNER)],
    "api:mailing-progress": [get(SEEN_BY_MANAGERS)],
    "api:mailing-actions": [get(SEEN_BY_MANAGERS)],
    "api:mailing-tracking": [get(SEEN_BY_MANAGERS)],
    "api:attempt-list": [get(API_SIGNED_IN)],
    "api:attempt-detail": [get(SEEN_BY_MANAGERS)],
    "api:report-list": [get(API_SIGNED_IN)],
    "api:report-daily": [get(API_SIGNED_IN)],
    "api:report-export": [get(API_SIGNED_IN)],
    "api:report-detail": [get(SEEN_BY_MANAGERS)],
    # Test addresses are part of an account, like its API token: one's own only, admins included
    "api:test-address-list": [get(API_SIGNED_IN), post({"email": "colleague@example.org"}, API_CREATED)],
    "api:test-address-detail": [
        get(signed_in(405, anonymous=401)),
        delete(statuses(401, 204, 404, 404, 404, 404)),
    ],
    "api:test-address-resend": [post({}, statuses(401, 202, 404, 404, 404, 404))],
    "api:user-list": [get(API_MANAGERS)],
    "api:user-detail": [get(API_MANAGERS)],
    "api:user-block": [post({}, API_MANAGERS)],
    "api:user-unblock": [post({}, API_MANAGERS)],
    # API: accounts (djoser)
    "api:auth:register": [get(POST_ONLY), post(SIGN_UP, everyone(201))],
    "api:auth:me": [
        get(signed_in(200, anonymous=401)),
        patch({"full_name": "Renamed"}, signed_in(200, anonymous=401)),
        delete(signed_in(204, anonymous=401), data={"current_password": PASSWORD}),
    ],
    "api:auth:activation": [get(POST_ONLY), post({"uid": "MQ", "token": "dummy"}, everyone(400))],
    "api:auth:resend-activation": [get(POST_ONLY), post({"email": "owner@example.com"}, everyone(204))],
    "api:auth:reset-password": [get(POST_ONLY), post({"email": "owner@example.com"}, everyone(204))],
    "api:auth:reset-password-confirm": [
        get(POST_ONLY),
        post({"uid": "MQ", "token": "dummy", "new_password": NEW_PASSWORD}, everyone(400)),
    ],
    "api:auth:set-password": [
        get(POST_ONLY),
        post({"current_password": PASSWORD, "new_password": NEW_PASSWORD}, signed_in(204, anonymous=401)),
    ],
    "api:auth:token-login": [
        get(everyone(405)),
        post({"email": "owner@example.com", "password": PASSWORD}, everyone(200)),
    ],
    "api:auth:token-logout": [get(POST_ONLY), post({}, signed_in(204, anonymous=401))],
}

# URL arguments that the defaults (see the module docstring) do not cover.
KWARGS: dict[str, Callable] = {
    "tracked-link": lambda scene: {"token": click_token(scene.attempt.pk, _tracked_link(scene.mailing).position)},
    "tracked-open": lambda scene: {"token": open_token(scene.attempt.pk)},
    "unsubscribe": lambda scene: {"token": unsubscribe_token(scene.client.pk, scene.mailing.pk)},
    "resubscribe": lambda scene: {"token": unsubscribe_token(scene.client.pk, scene.mailing.pk)},
    "subscribe": lambda scene: {"token": scene.public_list_token()},
    "subscribe-confirm": lambda scene: {"signed": "dummy-link"},
    "message-image": lambda scene: {"name": _image(scene).file.name.removeprefix("images/")},
    "api:image-detail": lambda scene: {"pk": _image(scene).pk},
    "test-address-confirm": lambda scene: {"token": confirmation_token(_test_address(scene.owner))},
    "api:test-address-detail": lambda scene: {"pk": _test_address(scene.owner).pk},
    "api:test-address-resend": lambda scene: {"pk": _test_address(scene.owner).pk},
}


def _image(scene) -> MessageImage:
    return image_create(owner=scene.owner, upload=SimpleUploadedFile("matrix.png", image_bytes(), "image/png"))


def _test_address(owner):
    return TestAddress.objects.get_or_create(owner=owner, email="phone@example.org")[0]


def _tracked_link(mailing):
    return TrackedLink.objects.get_or_create(mailing=mailing, position=0, defaults={"url": "https://shop.example/"})[0]
