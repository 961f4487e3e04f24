import secrets

import core.models.lists
import django.db.models.functions.text
from django.db import migrations, models


def give_every_list_a_token(apps, schema_editor):
    ClientList = apps.get_model("core", "ClientList")
    for client_list in ClientList.objects.filter(signup_token__isnull=True).only("pk"):
        client_list.signup_token = secrets.token_urlsafe(24)
        client_list.save(update_fields=["signup_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0018_tracking_clicks_and_opens"),
    ]

    operations = [
        migrations.AddField(
            model_name="clientlist",
            name="is_public",
            field=models.BooleanField(default=False, verbose_name="public sign-up"),
        ),
        # Added empty, filled one list at a time, then made unique: one default for every row would clash.
        migrations.AddField(
            model_name="clientlist",
            name="signup_token",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="sign-up address key"),
        ),
        migrations.RunPython(give_every_list_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="clientlist",
            name="signup_token",
            field=models.CharField(
                default=core.models.lists.new_signup_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="sign-up address key",
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="consent_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="consent given at"),
        ),
        migrations.AddField(
            model_name="client",
            name="consent_source",
            field=models.CharField(
                blank=True,
                choices=[
                    ("page", "Sign-up page"),
                    ("snippet", "Sign-up form on another website"),
                    ("api", "Added by the owner through the API"),
                ],
                editable=False,
                max_length=16,
                verbose_name="consent given through",
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="consent_url",
            field=models.URLField(blank=True, editable=False, max_length=2000, verbose_name="consent page"),
        ),
        migrations.AddField(
            model_name="client",
            name="consent_ip",
            field=models.GenericIPAddressField(blank=True, editable=False, null=True, verbose_name="consent given from"),
        ),
        migrations.AddIndex(
            model_name="outboxemail",
            index=models.Index(
                django.db.models.functions.text.Upper("recipient"),
                models.F("created_at"),
                condition=models.Q(("kind__in", ["signup_confirm", "signup_already"])),
                name="outbox_signup_recipient_idx",
            ),
        ),
    ]
