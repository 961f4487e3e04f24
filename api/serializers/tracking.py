"""Click and open tracking: figures per link, run and mailing, and a client's clicks."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class LinkFiguresSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text=_("The link's number in the mailing (the order it was first sent)."))
    url = serializers.CharField(help_text=_("The address the link leads to."))
    unique_clicks = serializers.IntegerField(help_text=_("Recipients who followed it, each counted once."))
    clicks = serializers.IntegerField(help_text=_("Every time it was followed."))
    click_rate = serializers.FloatField(
        allow_null=True, help_text=_("Unique clicks ÷ sent, in per cent; null when nothing was sent.")
    )


class RunTrackingSerializer(serializers.Serializer):
    run_at = serializers.DateTimeField()
    is_resend = serializers.BooleanField()
    sent = serializers.IntegerField(help_text=_("Messages sent in the run."))
    clickers = serializers.IntegerField(help_text=_("Recipients who followed at least one link."))
    clicks = serializers.IntegerField(help_text=_("Every click on any link."))
    click_rate = serializers.FloatField(
        allow_null=True, help_text=_("Clickers ÷ sent, in per cent; null when nothing was sent.")
    )
    opened = serializers.IntegerField(help_text=_("Recipients whose mail client loaded the image (approximate)."))
    opens = serializers.IntegerField(help_text=_("Every time the image was loaded."))
    links = LinkFiguresSerializer(many=True, help_text=_("The links clicked in this run."))


class MailingTrackingSerializer(serializers.Serializer):
    track_clicks = serializers.BooleanField()
    track_opens = serializers.BooleanField()
    sent = serializers.IntegerField(help_text=_("Messages sent in the runs below."))
    clickers = serializers.IntegerField(help_text=_("Recipients who followed at least one link, per run, summed."))
    click_rate = serializers.FloatField(allow_null=True, help_text=_("Clickers ÷ sent, in per cent."))
    opened = serializers.IntegerField(help_text=_("Recipients who opened it, per run, summed (approximate)."))
    runs = RunTrackingSerializer(many=True, help_text=_("The latest runs, newest first."))
    links = LinkFiguresSerializer(many=True, help_text=_("Every tracked link, over those runs."))


class ClientClickSerializer(serializers.Serializer):
    mailing = serializers.IntegerField()
    subject = serializers.CharField(help_text=_("The subject of the mailing's message."))
    run_at = serializers.DateTimeField()
    url = serializers.CharField(help_text=_("The address of the link."))
    clicks = serializers.IntegerField(help_text=_("How often the client followed it."))
    first_at = serializers.DateTimeField()
    last_at = serializers.DateTimeField()
