"""Back office: the graduates not yet placed, each with their best matches on the board, so staff can
call them about a job. Under the "Job board" menu (jobs/wagtail_hooks.py); school staff only."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail.admin.menu import MenuItem

import django_filters

from jobs.models import CandidateFeatures
from jobs.recommendations import best_postings_by_graduate, unplaced_graduates
from school.filters import FilterForm
from school.models import Cohort, Enrollment, Program
from school.permissions import is_staff

PER_PAGE = 25
BEST_MATCHES = 3


def _completed(**conditions):
    return Exists(Enrollment.objects.filter(student=OuterRef("user"), status=Enrollment.Status.COMPLETED, **conditions))


class UnplacedFilter(django_filters.FilterSet):
    program = django_filters.ModelChoiceFilter(
        label=_("Program completed"),
        queryset=Program.objects.order_by("sort_order", "name"),
        to_field_name="slug",
        empty_label=_("All programs"),
        method="filter_program",
    )
    cohort = django_filters.ModelChoiceFilter(
        label=_("Class completed"),
        # The classes anyone completed, latest first: the ones whose graduates may still need a job.
        queryset=Cohort.objects.filter(status=Cohort.Status.FINISHED).order_by("-end_date", "code"),
        to_field_name="code",
        empty_label=_("All classes"),
        method="filter_cohort",
    )

    class Meta:
        model = CandidateFeatures
        fields = []
        form = FilterForm

    def filter_program(self, queryset, name, program):
        return queryset.filter(_completed(cohort__course__program=program))

    def filter_cohort(self, queryset, name, cohort):
        return queryset.filter(_completed(cohort=cohort))


def unplaced(request):
    """Graduates with a completed course and no current job found through the school, 25 a page, with
    their best three open postings (score and reasons) and what they would need to learn for them."""
    if not is_staff(request.user):
        raise PermissionDenied
    filterset = UnplacedFilter(request.GET or None, queryset=unplaced_graduates())
    paginator = Paginator(filterset.qs, PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    rows = list(page.object_list)
    best = best_postings_by_graduate(rows, limit=BEST_MATCHES)
    query = request.GET.copy()
    query.pop("p", None)
    return TemplateResponse(
        request,
        "jobs/admin/recommend_unplaced.html",
        {
            "filter_form": filterset.form,
            "graduates": [{"row": row, "user": row.user, "matches": best.get(row.user_id, [])} for row in rows],
            "items": page,
            "elided_page_range": paginator.get_elided_page_range(page.number),
            "query": query.urlencode(),
        },
    )


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_staff(request.user)


def menu_item() -> MenuItem:
    return StaffMenuItem(_("Graduates not yet placed"), reverse("jobs_unplaced"), icon_name="user", order=10)


urlpatterns = [path("jobs/unplaced/", unplaced, name="jobs_unplaced")]
