"""Reports keep history: a resend is its own run (attempts carry `resend_of`),
each run and each subscription event has its day fixed (the owner's date), and
a scheduled run counts the clients it reached in the end."""

from zoneinfo import ZoneInfo

from django.db import migrations, models


def fix_days(apps, schema_editor):
    RunStats = apps.get_model("core", "RunStats")
    ClientEvent = apps.get_model("core", "ClientEvent")
    for run in RunStats.objects.select_related("mailing__owner").iterator():
        run.day = run.run_at.astimezone(ZoneInfo(run.mailing.owner.time_zone)).date()
        run.save(update_fields=["day"])
    for event in ClientEvent.objects.select_related("client__owner").iterator():
        event.day = event.at.astimezone(ZoneInfo(event.client.owner.time_zone)).date()
        event.save(update_fields=["day"])
    # Before this migration every run's success was its own sent count.
    RunStats.objects.update(reached=models.F("sent"), stale=True)


class Migration(migrations.Migration):
    # The backfill's updates leave deferred foreign key checks pending, and
    # PostgreSQL refuses to alter a table with pending checks in the same
    # transaction: each step commits on its own.
    atomic = False

    dependencies = [
        ("core", "0011_dispatch_leases"),
    ]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="resend_of",
            field=models.DateTimeField(blank=True, null=True, verbose_name="resend of the run"),
        ),
        migrations.AddField(
            model_name="runstats",
            name="is_resend",
            field=models.BooleanField(default=False, verbose_name="resend"),
        ),
        migrations.AddField(
            model_name="runstats",
            name="reached",
            field=models.PositiveIntegerField(default=0, verbose_name="reached"),
        ),
        migrations.AddField(
            model_name="runstats",
            name="day",
            field=models.DateField(null=True, verbose_name="day"),
        ),
        migrations.AddField(
            model_name="clientevent",
            name="day",
            field=models.DateField(null=True, verbose_name="day"),
        ),
        migrations.RunPython(fix_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="runstats",
            name="day",
            field=models.DateField(verbose_name="day"),
        ),
        migrations.AlterField(
            model_name="clientevent",
            name="day",
            field=models.DateField(verbose_name="day"),
        ),
        migrations.AddIndex(
            model_name="attempt",
            index=models.Index(
                condition=models.Q(("resend_of__isnull", False)),
                fields=["mailing", "resend_of", "status"],
                name="attempt_resend_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="runstats",
            index=models.Index(fields=["mailing", "day"], name="runstats_mailing_day_idx"),
        ),
        migrations.AddIndex(
            model_name="clientevent",
            index=models.Index(fields=["mailing", "day"], name="clientevent_mailing_day_idx"),
        ),
    ]
