from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from core.urls import urlpatterns as site


class Ping(APIView):
    """The cheapest authenticated DRF answer: the baseline of the benchmark."""

    def get(self, request):
        return Response({"user": request.user.pk})


urlpatterns = [path("bench/ping/", Ping.as_view()), *site]
