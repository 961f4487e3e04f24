"""Keep what depends on posts fresh: the home page pool and stored cover files."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from blog.models import Post
from blog.selectors import posts_changed


@receiver(post_save, sender=Post)
@receiver(post_delete, sender=Post)
def refresh_home_posts(sender, using=None, **kwargs):
    posts_changed(using=using)


@receiver(pre_save, sender=Post)
def delete_replaced_cover(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and "cover" not in update_fields):
        return
    old = Post.objects.filter(pk=instance.pk).values_list("cover", flat=True).first()
    if old and old != instance.cover.name:
        storage = instance.cover.storage
        transaction.on_commit(lambda: storage.delete(old))


@receiver(post_delete, sender=Post)
def delete_cover_file(sender, instance, **kwargs):
    if instance.cover:
        name, storage = instance.cover.name, instance.cover.storage
        transaction.on_commit(lambda: storage.delete(name))
