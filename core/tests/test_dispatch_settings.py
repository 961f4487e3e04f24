"""The dispatcher's settings come from the environment and refuse values that
would break the cron contract."""

import pytest

from core.tests.test_settings import PRODUCTION, run

READ = "import django; django.setup(); from django.conf import settings as s; print(s.{})"


def test_defaults_keep_a_cron_run_inside_the_minute():
    result = run(READ.format("DISPATCH_TIME_BUDGET, s.DISPATCH_LEASE_SECONDS, s.DISPATCH_BATCH_SIZE"), **PRODUCTION)
    assert result.stdout.split() == ["50", "300", "500"], result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DISPATCH_TIME_BUDGET": "60"}, "DISPATCH_TIME_BUDGET must stay below the 60 s cron interval."),
        ({"DISPATCH_BATCH_SIZE": "0"}, "DISPATCH_BATCH_SIZE=0 must be at least 1."),
        ({"DISPATCH_READ_TIMEOUT": "soon"}, "DISPATCH_READ_TIMEOUT='soon' is not a number."),
    ],
)
def test_bad_dispatch_settings_stop_start_up_with_a_clear_message(env, message):
    result = run(READ.format("DISPATCH_BATCH_SIZE"), **PRODUCTION, **env)
    assert result.returncode != 0
    assert message in result.stderr
