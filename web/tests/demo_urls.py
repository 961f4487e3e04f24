"""A page that uses the layout's widgets the way the resource pages will: an
htmx button whose answer carries toasts, the modal partial, and a progress bar
that polls until its run is done. Used by the browser tests only."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template import engines
from django.urls import include, path
from django.views.decorators.http import require_POST

from api.htmx import close_modal, toast

PAGE = engines["django"].from_string(
    """{% extends "base.html" %}
{% block content %}
<h1>Widgets</h1>
<button type="button" class="btn btn-primary" id="save" hx-post="/demo/save/" hx-swap="none">Save</button>
<button type="button" class="btn btn-secondary" id="open" data-bs-toggle="modal" data-bs-target="#client-form"
        hx-get="/demo/form/" hx-target="#client-form-body">New client</button>
{% include "web/_modal.html" with modal_id="client-form" title="New client" %}
{% include "api/_progress.html" with url="/demo/progress/" percent=0 running=True %}
{% endblock %}"""
)
FORM = """<form hx-post="/demo/form/" hx-target="#client-form-body">
<label class="form-label" for="email">Email</label><input class="form-control" id="email" name="email">
<button type="submit" class="btn btn-primary mt-2">Create</button></form>"""

progress_calls = []


def widgets(request):
    progress_calls.clear()
    return HttpResponse(PAGE.render({}, request))


@require_POST
def save(request):
    response = toast(HttpResponse(status=204), "Client <b>saved</b>.")
    return toast(response, "The server refused one address.", "error")


def form(request):
    if request.method == "POST":
        return toast(close_modal(HttpResponse("")), f"Created {request.POST['email']}.")
    return HttpResponse(FORM)


def progress(request):
    progress_calls.append(request)
    percent = min(100, 50 * len(progress_calls))
    context = {"url": "/demo/progress/", "percent": percent, "running": percent < 100}
    return render(request, "api/_progress.html", context)


urlpatterns = [
    path("demo/widgets/", widgets),
    path("demo/save/", save),
    path("demo/form/", form),
    path("demo/progress/", progress),
    path("", include("core.urls")),
]
