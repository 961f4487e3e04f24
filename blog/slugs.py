# ruff: noqa: RUF001 - the transliteration table is Cyrillic on purpose
"""Readable ASCII slugs from titles in any script.

Cyrillic is transliterated (Russian and Ukrainian letters, close to the
passport rules), Latin letters lose their accents; a title with nothing left
(e.g. only Chinese characters or emoji) falls back to "post".
"""

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

FALLBACK = "post"
# Paths under /blog/ that a post slug must not shadow.
RESERVED = frozenset({"manage"})

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "є": "ie", "і": "i", "ї": "i", "ґ": "g",
}  # fmt: skip
_TABLE = str.maketrans(_CYRILLIC | {k.upper(): v.capitalize() for k, v in _CYRILLIC.items()})


def slug_base(title: str, max_length: int) -> str:
    """The slug a title asks for, before making it unique."""
    slug = slugify((title or "").translate(_TABLE))[:max_length].strip("-")
    return slug or FALLBACK


def unique_slug(title: str, max_length: int, taken) -> str:
    """`slug_base` with "-2", "-3"… appended until `taken(slug)` is false and it is not reserved."""
    base = slug_base(title, max_length)
    candidate, number = base, 1
    while candidate in RESERVED or taken(candidate):
        number += 1
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED:
        raise ValidationError(_("“%(slug)s” is used by the blog itself; choose another slug."), params={"slug": value})
