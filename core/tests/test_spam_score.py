"""What a spam filter makes of our mail: a Markdown message with click and
open tracking, a one-sentence one and a plain-text one, sent by the dispatcher
to a real SMTP peer with a production-like sender, scored by SpamAssassin
(Debian's package, its shipped rules, local tests only: `spamassassin -L -t`)
on the exact bytes the peer received."""

import os
import re
import shutil
import subprocess

import pytest

from core.models import Attempt, AttemptStatus, Client, Message, MessageFormat
from core.tests.conftest import dispatcher_for, make_mailing

SPAMASSASSIN = shutil.which("spamassassin")

pytestmark = [
    pytest.mark.spamassassin,
    pytest.mark.skipif(
        SPAMASSASSIN is None,
        reason="SpamAssassin is not installed (apt-get install spamassassin); CI always has it",
    ),
]

SUBJECT = "Осенняя коллекция уже в магазине, {full_name}"
MARKDOWN = """# Осенняя коллекция

Здравствуйте, {full_name}!

Мы обновили ассортимент пекарни: к осени появились новые сорта хлеба на закваске и выпечка с тыквой.
Всё печём каждое утро из муки местных мельниц, без улучшителей.

На этой неделе в магазине:

- ржаной хлеб с кориандром;
- тыквенные булочки с корицей;
- пирог с яблоками и брусникой.

Посмотрите [весь каталог](https://bakery.example.com/catalog) или
[закажите доставку](https://bakery.example.com/delivery?from=mail) — привезём к завтраку.

![Тыквенные булочки](https://bakery.example.com/images/pumpkin-buns.jpg)

Если есть вопросы, просто ответьте на это письмо.

С уважением,
пекарня «Колос»"""  # noqa: RUF001
PLAIN = """Здравствуйте, {full_name}!

Мы обновили ассортимент пекарни: к осени появились новые сорта хлеба на закваске и выпечка с тыквой.
Всё печём каждое утро из муки местных мельниц, без улучшителей.

Если есть вопросы, просто ответьте на это письмо.

С уважением,
пекарня «Колос»"""  # noqa: RUF001

SHORT = """Здравствуйте, {full_name}! Свежий хлеб на закваске уже в продаже: [закажите к завтраку](https://bakery.example.com/delivery)."""

# What only the receiving server can say: the peer's bytes have no Received header yet (NO_RECEIVED,
# NO_RELAYS, -0.001 each, informational). HTML_MESSAGE (0.001, informational) is every HTML part's.
INFORMATIONAL = {"NO_RECEIVED", "NO_RELAYS", "HTML_MESSAGE"}


@pytest.fixture
def shop(owner, settings):
    """A production-like sender: its own domain, the site on https, a Reply-To, the owner's language."""
    settings.SITE_URL = "https://mail.bakery.example.com"
    settings.DEFAULT_FROM_EMAIL = "Kolos Bakery <news@bakery.example.com>"
    settings.MESSAGE_ID_DOMAIN = "mail.bakery.example.com"
    owner.full_name = "Пекарня «Колос»"
    owner.reply_to = "hello@bakery.example.com"
    owner.language = "ru"
    owner.save()
    return owner


def sent(owner, peer, *, body, markdown, **tracking) -> bytes:
    mailing = make_mailing(owner, 1, subject=SUBJECT, body=body, **tracking)
    Client.objects.filter(owner=owner).update(full_name="Анна Петрова", email="anna.petrova@example.org")
    if markdown:
        Message.objects.filter(pk=mailing.message_id).update(format=MessageFormat.MARKDOWN)
    dispatcher_for(peer.port).run()
    assert [a.status for a in Attempt.objects.filter(mailing=mailing)] == [AttemptStatus.SUCCESS]
    (item,) = peer.handler.received
    assert b"\r\nList-Unsubscribe: <https://mail.bakery.example.com/" in item.data
    assert b"\r\nReply-To: hello@bakery.example.com\r\n" in item.data
    return item.data


def spam_score(data: bytes, home) -> tuple[float, dict[str, float], str]:
    """(score, {rule: points}, SpamAssassin's report) of `spamassassin -L -t` over `data`."""
    result = subprocess.run(
        # The extra header only writes each rule's exact points (the report rounds them to 0.1).
        [SPAMASSASSIN, "-L", "-t", "--cf", "add_header all Tests _TESTSSCORES(,)_"],
        input=data,
        capture_output=True,
        timeout=120,
        # SpamAssassin keeps user preferences and auto-learned Bayes data under HOME: not the machine's.
        env={**os.environ, "HOME": str(home)},
        check=False,
    )
    output = result.stdout.decode("utf-8", "replace")
    head = output.split("\n\n", 1)[0].replace("\n\t", " ")
    tests = re.search(r"^X-Spam-Tests: (.*)$", head, re.MULTILINE)
    assert tests, f"SpamAssassin scored nothing (exit {result.returncode}):\n{output}\n{result.stderr.decode()}"
    rules = {name: float(points) for name, points in re.findall(r"(\w+)=(-?[\d.]+)", tests[1])}
    details = output[output.find("Content analysis details:") :]
    report = details[: details.find("\n\n", details.find("\n---- "))]  # up to the end of the rules' table
    return round(sum(rules.values()), 3), rules, report


def scored(rules: dict[str, float]) -> dict[str, float]:
    return {name: points for name, points in rules.items() if name not in INFORMATIONAL}


def test_a_tracked_markdown_message_scores_below_one(shop, peer, tmp_path):
    data = sent(shop, peer, body=MARKDOWN, markdown=True, track_clicks=True, track_opens=True)
    assert b"multipart/alternative" in data and b"/o/" in data and b"/r/" in data
    score, rules, report = spam_score(data, tmp_path)
    assert score < 1.0, f"SpamAssassin scores the tracked Markdown message {score} ({rules}):\n{report}"


def test_a_short_tracked_markdown_message_is_not_taken_for_an_image(shop, peer, tmp_path):
    """A message of one sentence: its HTML part is mostly the layout, and it holds an image (the pixel)."""
    data = sent(shop, peer, body=SHORT, markdown=True, track_clicks=True, track_opens=True)
    score, rules, report = spam_score(data, tmp_path)
    assert scored(rules) == {} and score < 1.0, f"SpamAssassin scores the short message {score} ({rules}):\n{report}"


def test_a_plain_message_scores_nothing(shop, peer, tmp_path):
    data = sent(shop, peer, body=PLAIN, markdown=False)
    score, rules, report = spam_score(data, tmp_path)
    assert scored(rules) == {} and score <= 0.0, f"SpamAssassin scores the plain message {score} ({rules}):\n{report}"
