from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView

from api import list_cache
from api.fragments import detail_fragment, list_fragment
from api.views.attempts import AttemptViewSet
from api.views.clients import ClientViewSet
from api.views.lists import ListViewSet
from api.views.mailings import MailingViewSet, shown_mailings
from api.views.messages import MessageViewSet
from api.views.reports import ReportViewSet
from blog.selectors import home_posts
from core.selectors import first_steps, recent_mailings
from core.services.mailings import next_change_at
from web.home import cached_home_figures
from web.page_cache import CachedPageMixin
from web.permissions import ObjectAccessMixin


class HomeView(TemplateView):
    template_name = "web/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["figures"], context["figures_are_own"] = cached_home_figures(user)
        context["posts"] = home_posts(3)
        if user.is_authenticated:
            # read live, not cached: a mailing's status changes as it is sent
            context["recent_mailings"] = recent_mailings(user)
            context["steps"] = self.steps(user, context["figures"] if context["figures_are_own"] else None)
        return context

    @staticmethod
    def steps(user, own_figures) -> list[dict]:
        """The first steps of a new user, in order, each done or not; empty once
        all are done. A user with their own mailings and clients has done all
        (a mailing sends a message): then nothing is asked of the database."""
        if own_figures and own_figures["total"] and own_figures["unique_clients"]:
            return []
        done = first_steps(user)
        if all(done.values()):
            return []
        steps = [
            {
                "done": done["has_clients"],
                "url": reverse("clients"),
                "label": _("Add your clients"),
                "hint": _("The people who receive your mailings: one by one, or a CSV file at once."),
            },
            {
                "done": done["has_message"],
                "url": reverse("messages"),
                "label": _("Write a message"),
                "hint": _("A subject and a text; {full_name} greets each client by name."),
            },
            {
                "done": done["has_mailing"],
                "url": reverse("mailings"),
                "label": _("Create a mailing"),
                "hint": _("Choose the message and the clients, and when to send: once or on a schedule."),
            },
        ]
        next(step for step in steps if not step["done"])["next"] = True
        return steps


class PageShellView(LoginRequiredMixin, PermissionRequiredMixin, CachedPageMixin, TemplateView):
    """A page's frame: title, breadcrumbs, description and toolbar around
    `#content`, which holds the list fragment of the API resource `content`
    (`api.fragments.list_fragment`, for the page's query), rendered in the same
    request. Visitors are sent to log in; a logged-in user without the
    permission gets 403. Kept whole in the page cache (web/page_cache.py)."""

    template_name = "web/page.html"
    title = ""
    description = ""
    section = None  # (label, url name) of the parent crumb, if any
    content = None  # the API resource (its viewset) whose list fills #content
    permission_required: tuple[str, ...] = ()

    def page_query_keys(self) -> frozenset[str]:
        """What the page reads of its query: what its list reads (filters, search, order, page)."""
        return list_cache.query_keys(self.content)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            page_title=self.title,
            page_description=self.description,
            section=self.section,
            # The page's query (search, filters, order, page) is the list's: a reload keeps them.
            content_html=list_fragment(self.request, self.content).render(self.request),
        )
        return context


class MailingPageView(LoginRequiredMixin, ObjectAccessMixin, CachedPageMixin, DetailView):
    """One mailing: schedule, live progress and runs from the API's detail
    fragment, and its attempts from the API's list. Another user's mailing is a
    404, as in the API. Kept whole in the page cache until its next run comes
    (its progress then turns to "due" and its next runs move on)."""

    template_name = "web/pages/mailing.html"
    visible_to = staticmethod(shown_mailings)
    context_object_name = "mailing"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attempts_url = f"{reverse('api:attempt-list')}?mailing={self.object.pk}"
        attempts = list_fragment(self.request, AttemptViewSet, QueryDict(f"mailing={self.object.pk}"))
        context.update(
            page_title=_("Mailing #%(number)d") % {"number": self.object.pk},
            page_description=_("Its schedule, the progress of its latest run, every run and every send attempt."),
            section=(_("Mailings"), "mailings"),
            content_html=detail_fragment(self.request, MailingViewSet, self.object).render(self.request),
            attempts_url=attempts_url,
            attempts_html=attempts.render(self.request),
        )
        return context

    def page_until(self):
        return next_change_at(self.object)


MANAGER_SECTION = (_("Manager"), "manager-mailings")

PAGES = {
    "mailings": PageShellView.as_view(
        template_name="web/pages/mailings.html",
        content=MailingViewSet,
        title=_("Mailings"),
        description=_("Your mailings: what is sent to whom and when, and how each run went."),
    ),
    "clients": PageShellView.as_view(
        template_name="web/pages/clients.html",
        content=ClientViewSet,
        title=_("Clients"),
        description=_("The people who receive your mailings. Import them from CSV or add them one by one."),
    ),
    "lists": PageShellView.as_view(
        template_name="web/pages/lists.html",
        content=ListViewSet,
        title=_("Lists"),
        description=_("Groups of your clients. A mailing sent to a list reaches whoever is on it at each run."),
    ),
    "messages": PageShellView.as_view(
        template_name="web/pages/messages.html",
        content=MessageViewSet,
        title=_("Messages"),
        description=_("Subjects and texts that your mailings send. {full_name} and {email} are filled in per client."),
    ),
    "reports": PageShellView.as_view(
        template_name="web/pages/reports.html",
        content=ReportViewSet,
        title=_("Reports"),
        description=_("Sent and failed deliveries per mailing, per run and per day."),
    ),
    "manager-mailings": PageShellView.as_view(
        content=MailingViewSet,
        title=_("All mailings"),
        description=_("Every user's mailings. You can disable and enable them; only their owners edit them."),
        section=MANAGER_SECTION,
        permission_required=("core.view_all_mailings",),
    ),
}
