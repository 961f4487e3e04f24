"""The partials the resource pages build on: the modal and the progress bar."""

from django.template.loader import render_to_string
from django.utils import translation


def progress(**context):
    return render_to_string("api/_progress.html", {"url": "/api/mailings/7/progress/", **context})


def test_running_progress_polls_every_two_seconds():
    html = progress(percent=40, running=True)
    assert 'hx-get="/api/mailings/7/progress/" hx-trigger="every 2s" hx-target="this" hx-swap="outerHTML"' in html
    assert 'role="progressbar"' in html and 'aria-valuenow="40"' in html and 'aria-live="polite"' in html
    assert 'aria-busy="true"' in html
    assert "Sending…" in html


def test_finished_progress_stops_polling():
    html = progress(percent=100, running=False)
    assert "hx-get" not in html and "hx-trigger" not in html
    assert 'aria-valuenow="100"' in html and 'aria-busy="false"' in html
    assert "bg-success" in html and "Done." in html


def test_fractional_percent_stays_valid_css_in_russian():
    with translation.override("ru"):
        html = progress(percent=42.5, running=True)
    assert "progress-w-43" in html and 'aria-valuenow="42.5"' in html  # the width's class: a whole percent
    assert "Отправляется…" in html


def test_modal_is_a_labelled_dialog_with_a_close_button():
    html = render_to_string("web/_modal.html", {"modal_id": "client-form", "title": "New client", "size": "lg"})
    assert '<div class="modal fade" id="client-form" tabindex="-1" aria-labelledby="client-form-title"' in html
    assert '<h2 class="modal-title fs-5" id="client-form-title">New client</h2>' in html
    assert 'id="client-form-body"' in html and "modal-lg" in html
    assert 'data-bs-dismiss="modal" aria-label="Close"' in html
