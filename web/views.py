from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from blog.selectors import home_posts
from web.home import cached_home_figures


class HomeView(TemplateView):
    template_name = "web/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"], context["figures_are_own"] = cached_home_figures(self.request.user)
        context["posts"] = home_posts(3)
        return context


class PageShellView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """A page's frame: title, breadcrumbs and description around `#content`,
    which the resource's fragments fill. Visitors are sent to log in; a logged-in
    user without the permission gets 403."""

    template_name = "web/page.html"
    title = ""
    description = ""
    section = None  # (label, url name) of the parent crumb, if any
    permission_required: tuple[str, ...] = ()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(page_title=self.title, page_description=self.description, section=self.section)
        return context


MANAGER_SECTION = (_("Manager"), "manager-mailings")

PAGES = {
    "mailings": PageShellView.as_view(
        title=_("Mailings"),
        description=_("Your mailings: what is sent to whom and when, and how each run went."),
    ),
    "clients": PageShellView.as_view(
        title=_("Clients"),
        description=_("The people who receive your mailings. Import them from CSV or add them one by one."),
    ),
    "messages": PageShellView.as_view(
        title=_("Messages"),
        description=_("Subjects and texts that your mailings send. {full_name} and {email} are filled in per client."),
    ),
    "reports": PageShellView.as_view(
        title=_("Reports"),
        description=_("Sent and failed deliveries per mailing, per run and per day."),
    ),
    "manager-mailings": PageShellView.as_view(
        title=_("All mailings"),
        description=_("Every user's mailings. You can disable and enable them; only their owners edit them."),
        section=MANAGER_SECTION,
        permission_required=("core.view_all_mailings",),
    ),
}
