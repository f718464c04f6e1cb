"""The job board's filters, shared by the board page, the API and job alerts (an alert is a saved query)."""

import datetime

from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

import django_filters

from jobs.models import EmploymentType, JobCategory, JobPosting, PayPeriod
from school.filters import FilterForm
from school.models import LUOYANG_DISTRICTS, Skill
from school.search import search_condition

POSTED_WITHIN = [
    ("1", _("Last 24 hours")),
    ("3", _("Last 3 days")),
    ("7", _("Last week")),
    ("30", _("Last month")),
]


class CategoryChoiceFilter(django_filters.ModelChoiceFilter):
    """Categories by slug, named in the visitor's language."""

    @property
    def field(self):
        field = super().field
        field.label_from_instance = category_name
        return field


def category_name(category: JobCategory) -> str:
    if category.name_en and (get_language() or "").startswith("en"):
        return category.name_en
    return category.name


class BoardOrdering(django_filters.OrderingFilter):
    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        if value == "-published_at":
            return F("published_at").desc(nulls_last=True)
        return value

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        # A stable order for equal values, so pages never repeat or skip a posting.
        return qs.order_by(*qs.query.order_by, "-pk") if value else qs


class PostingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Job, employer or pinyin, e.g. 育婴 or yuying")}
        ),
    )
    category = CategoryChoiceFilter(
        label=_("Kind of work"),
        queryset=JobCategory.objects.all(),
        to_field_name="slug",
        empty_label=_("All kinds of work"),
    )
    district = django_filters.ChoiceFilter(
        label=_("District"), choices=LUOYANG_DISTRICTS, empty_label=_("All of Luoyang")
    )
    employment_type = django_filters.ChoiceFilter(
        label=_("Employment type"), choices=EmploymentType.choices, empty_label=_("Any type")
    )
    min_pay = django_filters.NumberFilter(
        label=_("Pay at least (CNY)"),
        method="filter_min_pay",
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 100}),
    )
    pay_period = django_filters.ChoiceFilter(
        label=_("Paid"), choices=PayPeriod.choices, method="filter_pay_period", empty_label=_("Monthly or hourly")
    )
    posted_within = django_filters.ChoiceFilter(
        label=_("Posted"), choices=POSTED_WITHIN, method="filter_posted_within", empty_label=_("Any time")
    )
    skill = django_filters.ModelChoiceFilter(
        label=_("Skill"),
        queryset=Skill.objects.select_related("category"),
        field_name="required_skills__skill",
        to_field_name="slug",
        empty_label=_("Any skill"),
        distinct=True,
    )
    sort = BoardOrdering(
        label=_("Sort by"),
        fields=(("published_at", "newest"), ("pay_max", "pay"), ("closing_date", "closing")),
        choices=[
            ("-newest", _("Newest first")),
            ("-pay", _("Pay, highest first")),
            ("closing", _("Closing soonest")),
        ],
        empty_label=None,
    )

    class Meta:
        model = JobPosting
        fields = []
        form = FilterForm

    def __init__(self, data=None, *args, **kwargs):
        # Newest first unless asked otherwise, so the sort menu shows what the list does.
        data = data.copy() if data is not None else {}
        data.setdefault("sort", "-newest")
        super().__init__(data, *args, **kwargs)

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_condition(value))

    def filter_pay_period(self, queryset, name, value):
        return queryset.filter(pay_period=value)

    def filter_min_pay(self, queryset, name, value):
        # Monthly and hourly pay cannot be compared: a minimum is per month unless "hourly" is chosen.
        period = self.form.cleaned_data.get("pay_period") or PayPeriod.MONTH
        return queryset.filter(pay_period=period, pay_max__gte=value)

    def filter_posted_within(self, queryset, name, value):
        since = timezone.now() - datetime.timedelta(days=int(value))
        return queryset.filter(published_at__gte=since)
