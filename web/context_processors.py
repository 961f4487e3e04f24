from django.urls import reverse_lazy


def pages(request):
    """Our pages' URLs for the API's HTML fragments, which may not name web's URLs
    (layers web → api → core). A mailing's page is `mailings_page` + its id + "/"."""
    return {"mailings_page": reverse_lazy("mailings")}
