from django.urls import path

from web import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # Page shells (issue 6): the resource fragments fill their #content.
    path("mailings/", views.PAGES["mailings"], name="mailings"),
    path("clients/", views.PAGES["clients"], name="clients"),
    path("messages/", views.PAGES["messages"], name="messages"),
    path("reports/", views.PAGES["reports"], name="reports"),
    path("manager/mailings/", views.PAGES["manager-mailings"], name="manager-mailings"),
    path("manager/users/", views.PAGES["manager-users"], name="manager-users"),
]
