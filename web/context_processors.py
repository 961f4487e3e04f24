from django.urls import reverse_lazy


def pages(request):
    """Our pages' URLs for the API's HTML fragments, which may not name web's URLs
    (layers web → api → core). A mailing's page is `mailings_page` + its id + "/"; the clients of a list are
    `clients_page` + "?list=" + its id."""
    return {"mailings_page": reverse_lazy("mailings"), "clients_page": reverse_lazy("clients")}
