from django.urls import path

from blog import manage_views, views
from blog.feeds import LatestPostsFeed

app_name = "blog"

urlpatterns = [
    path("", views.PostListView.as_view(), name="list"),
    path("feed.xml", LatestPostsFeed(), name="feed"),
    path("manage/", manage_views.ManagePostListView.as_view(), name="manage"),
    path("manage/new/", manage_views.PostCreateView.as_view(), name="create"),
    path("manage/preview/", manage_views.PreviewView.as_view(), name="preview"),
    path("manage/<int:pk>/", manage_views.PostUpdateView.as_view(), name="edit"),
    path("manage/<int:pk>/publish/", manage_views.PostPublishView.as_view(publish=True), name="publish"),
    path("manage/<int:pk>/unpublish/", manage_views.PostPublishView.as_view(publish=False), name="unpublish"),
    path("manage/<int:pk>/delete/", manage_views.PostDeleteView.as_view(), name="delete"),
    path("<slug:slug>/", views.PostDetailView.as_view(), name="detail"),
]
