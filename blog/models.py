import html

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from blog.images import cover_upload_to, validate_cover
from blog.markdown import render_markdown
from blog.slugs import unique_slug, validate_slug_not_reserved

EXCERPT_LENGTH = 300


def excerpt_of(body: str) -> str:
    """The start of the body as plain text, for lists and meta descriptions."""
    plain = " ".join(html.unescape(strip_tags(render_markdown(body))).split())
    return Truncator(plain).chars(EXCERPT_LENGTH)


class PostQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, published_at__lte=timezone.now())


class Post(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=220,
        unique=True,
        blank=True,
        allow_unicode=False,
        validators=[validate_slug_not_reserved],
        help_text=_("The address of the post. Leave empty to make one from the title."),
        error_messages={"unique": _("Another post already has this slug.")},
    )
    body = models.TextField(_("body (Markdown)"))
    excerpt = models.CharField(
        _("excerpt / meta description"),
        max_length=EXCERPT_LENGTH,
        blank=True,
        help_text=_("Shown in lists, search results and link previews. Leave empty to use the start of the body."),
    )
    cover = models.ImageField(
        _("cover image"),
        upload_to=cover_upload_to,
        blank=True,
        validators=[validate_cover],
        width_field="cover_width",
        height_field="cover_height",
        help_text=_("Shown on top of the post and in link previews. JPEG, PNG, GIF or WebP."),
    )
    # Kept so that pages can size the image without opening the file.
    cover_width = models.PositiveIntegerField(_("cover width"), null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(_("cover height"), null=True, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts", verbose_name=_("author")
    )
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    views_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["is_published", "-published_at"], name="post_published_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_published=False) | models.Q(published_at__isnull=False),
                name="post_published_has_date",
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # An excerpt nobody wrote follows the body; a written one is kept.
        loaded_body = getattr(self, "_loaded_body", None)
        if not self.excerpt.strip() or (loaded_body is not None and self.excerpt == excerpt_of(loaded_body)):
            self.excerpt = excerpt_of(self.body)
            self._loaded_body = self.body
        if not self._state.adding and kwargs.get("update_fields") is None:
            # views_count only ever moves by the atomic UPDATE of a view: an
            # edit must not write back the number it loaded a while ago.
            skip = {"views_count", *self.get_deferred_fields()}
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.attname not in skip
            ]
        if self.slug:
            return super().save(*args, **kwargs)
        # Two posts with the same title saved at once may pick the same free
        # slug; the unique index refuses the second, which then picks again.
        for attempt in range(3):
            self.slug = unique_slug(self.title, self._meta.get_field("slug").max_length, self._slug_taken)
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if attempt == 2 or not self._slug_taken(self.slug):
                    raise
                self.slug = ""

    def get_absolute_url(self):
        return reverse("blog:detail", kwargs={"slug": self.slug})

    def clean(self):
        # Ticking "published" in the admin without a date means "now".
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()

    @classmethod
    def from_db(cls, db, field_names, values):
        post = super().from_db(db, field_names, values)
        post._loaded_body = post.__dict__.get("body")
        return post

    @property
    def is_public(self) -> bool:
        return self.is_published and self.published_at is not None and self.published_at <= timezone.now()

    def _slug_taken(self, slug: str) -> bool:
        return Post.objects.filter(slug=slug).exclude(pk=self.pk).exists()
