from django.db.models import F
from django.views.generic import DetailView, ListView

from blog.models import Post


class PostListView(ListView):
    template_name = "blog/post_list.html"
    context_object_name = "posts"
    paginate_by = 10

    def get_queryset(self):
        return Post.objects.published().select_related("author")


class PostDetailView(DetailView):
    template_name = "blog/post_detail.html"
    context_object_name = "post"

    def get_queryset(self):
        return Post.objects.published().select_related("author")

    def get_object(self, queryset=None):
        post = super().get_object(queryset)
        Post.objects.filter(pk=post.pk).update(views_count=F("views_count") + 1)
        post.views_count += 1
        return post
