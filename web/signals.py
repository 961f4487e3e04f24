"""Keep the home page's cached figures fresh."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.models import Client, Mailing
from web import home


def _bump_now_and_after_commit(*scopes) -> None:
    # Now, for reads later in this transaction; again after commit, so that a
    # request that read the old rows before the commit cannot have refilled
    # the cache under the token everyone uses from then on.
    home.bump(*scopes)
    transaction.on_commit(lambda: home.bump(*scopes))


@receiver(post_save, sender=Mailing)
@receiver(post_delete, sender=Mailing)
@receiver(post_save, sender=Client)
@receiver(post_delete, sender=Client)
def figures_changed(sender, instance, **kwargs):
    _bump_now_and_after_commit(home.SITE, instance.owner_id)
