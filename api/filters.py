"""FilterSets for every list: the same ones filter the JSON lists and build the
filter forms of the HTML fragments."""

import operator
from datetime import UTC
from functools import reduce

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField, IsoDateTimeField, RangeField
from django_filters.widgets import DateRangeWidget

from api.fields import LARGEST_ID
from core.models import (
    Attempt,
    AttemptStatus,
    Client,
    ClientList,
    Mailing,
    MailingDisplayStatus,
    Message,
    Periodicity,
    User,
)
from core.selectors import lists_visible_to, mailing_owners_visible_to, sees_all_mailings
from core.validators import validate_in_service_years


def searching(*fields):
    """A FilterSet method: the objects whose `fields` contain the text, any of them, ignoring case."""

    def filter_search(self, queryset, name, value):
        return queryset.filter(reduce(operator.or_, (Q(**{f"{field}__icontains": value}) for field in fields)))

    return filter_search


def owners(request):
    """The owner filter's choices (its form is built only for managers and admins)."""
    user = getattr(request, "user", None)
    return mailing_owners_visible_to(user) if user is not None and user.is_authenticated else User.objects.none()


class IdFilter(django_filters.NumberFilter):
    """A whole-number id; rejects fractions and values no id can have. Our
    pages never ask anyone to type an id: in their filter forms it is a hidden
    field that carries a given one along (a mailing's page keeps its mailing)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_ID)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(*args, **kwargs)


class DisplayStatusFilter(django_filters.ChoiceFilter):
    """A mailing's status as every face shows it: created, running, finished or disabled."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=MailingDisplayStatus.choices, label=_("Status"), **kwargs)

    def filter(self, queryset, value):
        return queryset.filter(MailingDisplayStatus.lookup(value)) if value else queryset


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 datetime turned into UTC: the database refuses offsets beyond
    ±16 h and years pushed out of range by the offset. Only the years the
    service accepts anywhere."""

    default_validators = [validate_in_service_years]

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeRangeField(RangeField):
    widget = DateRangeWidget

    def __init__(self, *args, **kwargs):
        super().__init__((UtcIsoDateTimeField(), UtcIsoDateTimeField()), *args, **kwargs)


class TimeRangeFilter(django_filters.IsoDateTimeFromToRangeFilter):
    """`<name>_after` and `<name>_before`, ISO 8601 (an offset, or the user's zone)."""

    field_class = UtcIsoDateTimeRangeField


class ServiceDateField(forms.DateField):
    default_validators = [validate_in_service_years]


class ServiceDateRangeField(DateRangeField):
    """Dates within the years the service accepts: a period from year 1 would be
    moved out of Python's range by the reader's time zone."""

    def __init__(self, *args, **kwargs):
        # DateRangeField's own __init__ only builds its two plain DateFields
        super(DateRangeField, self).__init__((ServiceDateField(), ServiceDateField()), *args, **kwargs)


class PeriodFilter(django_filters.DateFromToRangeFilter):
    """`<name>_after` and `<name>_before`, dates, both included."""

    field_class = ServiceDateRangeField


def _offer_any(field) -> None:
    """A filter left empty filters nothing: it says "Any", not "---------" or "Unknown"."""
    if isinstance(field, forms.NullBooleanField):
        field.widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]
    elif isinstance(field, forms.ChoiceField):  # django-filter's and model choices read it when listed
        field.empty_label = _("Any")
        field.widget.choices = field.choices  # the widget's copy still lists the class's label


def _combobox(form, *, text: str, value: str, source: str, fields: str) -> None:
    """Makes the text filter `text` a search-as-you-type choice (static/js/app.js,
    the ARIA combobox pattern): what is typed asks the API list `source` with
    `search=` (scoped to what the user may see by its viewset), and the one
    chosen puts its id into the hidden id filter `value` and its name into the
    text. `fields` are the JSON fields an option shows, the first non-empty one
    being its name. Typed text that is not chosen still filters as a search."""
    form.fields[text].widget.attrs.update(
        {
            "autocomplete": "off",
            "data-combobox": reverse(source),
            "data-combobox-value": form.auto_id % value,
            "data-combobox-fields": fields,
            "data-combobox-none": _("No matches"),
        }
    )


class _Bootstrap(django_filters.FilterSet):
    """Gives the filter form's widgets their Bootstrap classes, and ids of
    their own: a page shows the filters next to a form with the same fields."""

    def unused_filters(self) -> set[str]:
        """Filters that could choose nothing for this reader: not shown (when not asked for)."""
        return set()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if "owner" in self.filters and (user is None or not sees_all_mailings(user)):
            del self.filters["owner"]  # only managers and admins see other owners' mailings
        for name in self.unused_filters():
            del self.filters[name]
        self.form.auto_id = "id_filter_%s"
        for field in self.form.fields.values():
            _offer_any(field)
            widgets = getattr(field.widget, "widgets", [field.widget])
            if isinstance(field.widget, forms.MultiWidget):
                # A range's label names no single input (Django gives it no `for`): each says which end it is.
                for widget, end in zip(widgets, (_("from"), _("to")), strict=True):
                    widget.attrs["aria-label"] = format_lazy("{}: {}", field.label, end)
            for widget in widgets:
                css = (
                    "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
                )
                widget.attrs.setdefault("class", css)


def own_lists(request):
    """The list filter's choices: the lists the reader may see."""
    user = getattr(request, "user", None)
    return lists_visible_to(user) if user is not None else ClientList.objects.none()


class ClientFilter(_Bootstrap):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"), max_length=200)
    list = django_filters.ModelChoiceFilter(queryset=own_lists, field_name="lists", label=_("List"))

    class Meta:
        model = Client
        fields = ["search", "list"]

    def unused_filters(self) -> set[str]:
        # no lists yet: no list filter on the page (a `list` asked for is still checked)
        if self.data.get("list") in (None, "") and not own_lists(self.request).exists():
            return {"list"}
        return set()

    def filter_search(self, queryset, name, value):
        return queryset.search(value)  # the one search of clients, also of "all matching"


class MailingFilter(_Bootstrap):
    # searched by the pages' mailing choosers (reports), not shown in the list's own filters
    search = django_filters.CharFilter(
        field_name="message__subject",
        lookup_expr="icontains",
        label=_("Subject contains"),
        max_length=200,
        widget=forms.HiddenInput,
    )
    status = DisplayStatusFilter()
    periodicity = django_filters.ChoiceFilter(choices=Periodicity.choices, label=_("Periodicity"))
    is_active = django_filters.BooleanFilter(label=_("Enabled"))
    start_at = TimeRangeFilter(label=_("First send between"))
    owner = django_filters.ModelChoiceFilter(queryset=owners, label=_("Owner"))

    class Meta:
        model = Mailing
        fields = ["search", "status", "periodicity", "is_active", "start_at", "owner"]


class AttemptFilter(_Bootstrap):
    mailing = IdFilter(field_name="mailing_id", label=_("Mailing (id)"))
    client = IdFilter(field_name="client_id", label=_("Client (id)"))
    client_search = django_filters.CharFilter(method="filter_client", label=_("Client"), max_length=200)
    status = django_filters.ChoiceFilter(choices=AttemptStatus.choices, label=_("Status"))
    run_at = TimeRangeFilter(label=_("Run between"))
    attempted_at = TimeRangeFilter(label=_("Tried between"))
    bounced = django_filters.BooleanFilter(
        field_name="bounced_at", lookup_expr="isnull", exclude=True, label=_("Bounced later")
    )

    class Meta:
        model = Attempt
        fields = ["mailing", "client", "client_search", "status", "run_at", "attempted_at", "bounced"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _combobox(self.form, text="client_search", value="client", source="api:client-list", fields="full_name email")

    def filter_client(self, queryset, name, value):
        return queryset.filter(Q(client__email__icontains=value) | Q(client__full_name__icontains=value))


class ReportFilter(_Bootstrap):
    """`period` bounds the runs and days counted (it does not hide mailings);
    the other filters choose the mailings."""

    period = PeriodFilter(method="keep", label=_("Period"))
    mailing = IdFilter(field_name="id", label=_("Mailing (id)"))
    mailing_search = django_filters.CharFilter(
        field_name="message__subject", lookup_expr="icontains", label=_("Mailing"), max_length=200
    )
    status = DisplayStatusFilter()
    owner = django_filters.ModelChoiceFilter(queryset=owners, label=_("Owner"))

    class Meta:
        model = Mailing
        fields = ["period", "mailing", "mailing_search", "status", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _combobox(
            self.form, text="mailing_search", value="mailing", source="api:mailing-list", fields="message_subject id"
        )

    def keep(self, queryset, name, value):
        return queryset

    @property
    def period_bounds(self):
        value = self.form.cleaned_data.get("period") if self.is_bound and self.form.is_valid() else None
        return (
            value.start.date() if value and value.start else None,
            value.stop.date() if value and value.stop else None,
        )


class UserFilter(_Bootstrap):
    search = django_filters.CharFilter(field_name="email", lookup_expr="icontains", label=_("Email"), max_length=200)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["search", "is_active"]


class ListFilter(_Bootstrap):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"), max_length=200)

    class Meta:
        model = ClientList
        fields = ["search"]

    filter_search = searching("name", "description")


class MessageFilter(_Bootstrap):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"), max_length=200)

    class Meta:
        model = Message
        fields = ["search"]

    filter_search = searching("subject", "body")
