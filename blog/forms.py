from django import forms
from django.utils.translation import gettext_lazy as _

from blog.models import Post
from markup.images import NOT_AN_IMAGE

BODY_MAX_LENGTH = 100_000


class CoverInput(forms.ClearableFileInput):
    """A thumbnail of the current cover and a "remove" box above the file input.
    (The template sits in the app: the form renderer looks in apps, not in templates/.)"""

    template_name = "blog/widgets/cover_input.html"


class PostForm(forms.ModelForm):
    body = forms.CharField(
        label=_("Body (Markdown)"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 18, "class": "form-control font-monospace"}),
    )

    class Meta:
        model = Post
        fields = ["title", "slug", "excerpt", "body", "cover"]
        widgets = {
            "title": forms.TextInput(attrs={"class": "form-control", "autofocus": True}),
            "slug": forms.TextInput(attrs={"class": "form-control"}),
            "excerpt": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            "cover": CoverInput(attrs={"class": "form-control", "accept": "image/*"}),
        }
        error_messages = {"cover": {"invalid_image": NOT_AN_IMAGE}}

    def is_valid(self):
        valid = super().is_valid()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
        return valid


class PreviewForm(forms.Form):
    body = forms.CharField(max_length=BODY_MAX_LENGTH, required=False)
