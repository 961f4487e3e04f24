from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def pages(request):
    """Our pages' URLs for the API's HTML fragments, which may not name web's URLs
    (layers web → api → core). A mailing's page is `mailings_page` + its id + "/"; the clients of a list are
    `clients_page` + "?list=" + its id."""
    return _page_urls(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=8)
def _page_urls(script_prefix: str, urlconf) -> dict[str, str]:
    """Worked out once per URL configuration and prefix: as lazy URLs they were
    reversed again wherever a template showed them (twice in every mailing's row)."""
    return {"mailings_page": reverse("mailings", urlconf), "clients_page": reverse("clients", urlconf)}
