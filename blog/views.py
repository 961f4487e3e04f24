"""Public blog pages, rendered on the server for readers and search engines."""

from django.conf import settings
from django.db.models import F
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from blog.models import Post
from blog.selectors import posts_readable_by


class PostListView(ListView):
    template_name = "blog/post_list.html"
    context_object_name = "posts"
    paginate_by = 10

    def get_queryset(self):
        return Post.objects.published().select_related("author")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"].number
        context["canonical_url"] = settings.SITE_URL + reverse("blog:list") + (f"?page={page}" if page > 1 else "")
        return context


class PostDetailView(DetailView):
    """A post by its slug. Each GET of a public post counts one view with an
    atomic UPDATE in the database; the rendered body is cached (template
    fragment keyed on the post's last change), the count never is."""

    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_queryset(self):
        return posts_readable_by(self.request.user).select_related("author")

    def get_object(self, queryset=None):
        post = super().get_object(queryset)
        if self.request.method == "GET" and post.is_public:
            Post.objects.filter(pk=post.pk).update(views_count=F("views_count") + 1)
            post.views_count += 1
        return post

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canonical_url"] = settings.SITE_URL + self.object.get_absolute_url()
        return context


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        "Disallow: /api/",
        f"Disallow: {reverse('blog:manage')}",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
