from django.views.generic import TemplateView

from blog.selectors import home_posts
from core.selectors import home_figures


class HomeView(TemplateView):
    template_name = "web/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        own = user.is_authenticated and not user.has_perm("core.view_all_mailings")
        context["figures"] = home_figures(user if own else None)
        context["figures_are_own"] = own
        context["posts"] = home_posts(3)
        return context
