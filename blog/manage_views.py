"""Editor pages for content managers and admins: write, preview, publish, delete.

Every page needs the matching `blog.*_post` permission (a plain user gets
403); a post outside `posts_editable_by(user)` answers 404.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DeleteView, ListView, UpdateView

from blog.forms import PostForm, PreviewForm
from blog.selectors import posts_editable_by
from blog.services import post_publish, post_unpublish


class EditorMixin(PermissionRequiredMixin):
    def get_queryset(self):
        return posts_editable_by(self.request.user).select_related("author")


class ManagePostListView(EditorMixin, ListView):
    permission_required = "blog.change_post"
    template_name = "blog/manage/post_list.html"
    context_object_name = "posts"
    paginate_by = 20

    def get_queryset(self):
        return super().get_queryset().order_by("-updated_at", "-id")


class PostFormMixin(EditorMixin):
    form_class = PostForm
    template_name = "blog/manage/post_form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("The post “%(title)s” is saved.") % {"title": self.object.title})
        return response

    def get_success_url(self):
        return reverse("blog:edit", kwargs={"pk": self.object.pk})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["body"] = context["form"]["body"].value() or ""
        return context


class PostCreateView(PostFormMixin, CreateView):
    permission_required = "blog.add_post"

    def form_valid(self, form):
        form.instance.author = self.request.user
        return super().form_valid(form)


class PostUpdateView(PostFormMixin, UpdateView):
    permission_required = "blog.change_post"


class PostPublishView(EditorMixin, View):
    """POST only: publish (`publish=True`) or unpublish the post."""

    permission_required = "blog.change_post"
    publish = True
    http_method_names = ["post"]

    def post(self, request, pk):
        post = get_object_or_404(self.get_queryset(), pk=pk)
        if self.publish:
            post_publish(post)
            messages.success(request, _("The post “%(title)s” is published.") % {"title": post.title})
        else:
            post_unpublish(post)
            messages.success(request, _("The post “%(title)s” is a draft again.") % {"title": post.title})
        return redirect("blog:edit", pk=post.pk)


class PostDeleteView(EditorMixin, DeleteView):
    permission_required = "blog.delete_post"
    template_name = "blog/manage/post_confirm_delete.html"
    success_url = reverse_lazy("blog:manage")

    def form_valid(self, form):
        title = self.object.title
        response = super().form_valid(form)
        messages.success(self.request, _("The post “%(title)s” is deleted.") % {"title": title})
        return response


class PreviewView(PermissionRequiredMixin, View):
    """The sanitised HTML of the Markdown being typed, for the htmx live preview."""

    http_method_names = ["post"]

    def has_permission(self):
        user = self.request.user
        return user.has_perm("blog.add_post") or user.has_perm("blog.change_post")

    def post(self, request):
        form = PreviewForm(request.POST)
        if form.is_valid():
            context = {"body": form.cleaned_data["body"]}
        else:
            context = {"preview_error": " ".join(form.errors["body"])}
        return render(request, "blog/manage/post_form.html#preview", context)
