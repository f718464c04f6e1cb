"""The course catalogue's filters, shared by the course index page and the API."""

from datetime import date

from django import forms
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

import django_filters

from school.models import Cohort, Course, Program, Skill
from school.search import search_condition


def upcoming_months(count: int = 12) -> list[tuple[str, str]]:
    today = timezone.localdate()
    months = []
    for offset in range(count):
        year, month = divmod(today.month - 1 + offset, 12)
        first = date(today.year + year, month + 1, 1)
        months.append((first.strftime("%Y-%m"), date_format(first, "YEAR_MONTH_FORMAT")))
    return months


class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number that fits the database's bigint. NumberFilter takes any decimal up to
    1e50, and a larger id than the column holds failed in the query (a 500) instead of as bad input."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class FilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their fields: no colon
        super().__init__(*args, **kwargs)


class CatalogueOrdering(django_filters.OrderingFilter):
    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        if value.lstrip("-") == "next_start":
            # Courses with no class coming up go last, on every database.
            return (
                F("next_start").desc(nulls_last=True) if value.startswith("-") else F("next_start").asc(nulls_last=True)
            )
        return value


class CourseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Course name or pinyin, e.g. 直播 or zhibo")}),
    )
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), queryset=Program.objects.all(), to_field_name="slug", empty_label=_("All programs")
    )
    skill = django_filters.ModelChoiceFilter(
        label=_("Skill"),
        queryset=Skill.objects.select_related("category"),
        field_name="course_skills__skill",
        to_field_name="slug",
        empty_label=_("Any skill"),
        distinct=True,
    )
    schedule = django_filters.ChoiceFilter(
        label=_("When"), choices=Cohort.TimeOfWeek.choices, method="filter_cohorts", empty_label=_("Any time")
    )
    start_month = django_filters.ChoiceFilter(
        label=_("Starting in"), choices=upcoming_months, method="filter_cohorts", empty_label=_("Any month")
    )
    delivery = django_filters.ChoiceFilter(
        label=_("Where"), choices=Cohort.Delivery.choices, method="filter_cohorts", empty_label=_("On site or online")
    )
    fee_min = django_filters.NumberFilter(
        label=_("Fee from (CNY)"),
        field_name="fee",
        lookup_expr="gte",
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 100}),
    )
    fee_max = django_filters.NumberFilter(
        label=_("Fee up to (CNY)"),
        field_name="fee",
        lookup_expr="lte",
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 100}),
    )
    subsidised = django_filters.BooleanFilter(
        label=_("Subsidised courses only"), method="filter_subsidised", widget=forms.CheckboxInput
    )
    sort = CatalogueOrdering(
        label=_("Sort by"),
        fields=(("next_start", "start"), ("fee", "fee"), ("hours", "hours"), ("code", "code")),
        choices=[
            ("start", _("Next class starts soonest")),
            ("fee", _("Fee, lowest first")),
            ("-fee", _("Fee, highest first")),
            ("hours", _("Hours, fewest first")),
            ("code", _("Course code")),
        ],
        empty_label=None,
    )

    class Meta:
        model = Course
        fields = []
        form = FilterForm

    def __init__(self, data=None, *args, **kwargs):
        # Soonest class first unless asked otherwise, so the sort menu shows what the list does.
        data = data.copy() if data is not None else {}
        data.setdefault("sort", "start")
        super().__init__(data, *args, **kwargs)

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_condition(value))

    def filter_subsidised(self, queryset, name, value):
        return queryset.filter(subsidised=True) if value else queryset

    def filter_cohorts(self, queryset, name, value: str):
        # Applied once for all cohort conditions together, in filter_queryset.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        cohorts = Cohort.objects.upcoming().filter(course=OuterRef("pk"))
        if data.get("schedule"):
            cohorts = cohorts.filter(time_of_week=data["schedule"])
        if data.get("delivery"):
            cohorts = cohorts.filter(delivery=data["delivery"])
        if data.get("start_month"):
            year, month = (int(part) for part in data["start_month"].split("-"))
            cohorts = cohorts.filter(start_date__year=year, start_date__month=month)
        if any(data.get(key) for key in ("schedule", "delivery", "start_month")):
            # One upcoming class must meet every condition, not one class each.
            queryset = queryset.filter(Exists(cohorts))
        return queryset
