"""The back office for the school's records: staff list, search, filter, export and edit them in the
Wagtail admin under one "Teaching" menu. Registered in school/wagtail_hooks.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from school.forms import CohortForm, CourseForm, CourseSkillFormSet
from school.models import AssessmentItem, Cohort, Course, Program, Skill, SkillCategory, Weekday
from school.search import search_condition


def label(model, field_name: str) -> str:
    """A column heading from the model field's own (translated) name."""
    return capfirst(model._meta.get_field(field_name).verbose_name)


def weekday_names(days) -> str:
    return ", ".join(str(Weekday(int(day)).label) for day in days or [])


class SchoolIndexView(IndexView):
    # CSV has no booleans: write 是/否 rather than True/False. XLSX keeps real booleans.
    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        bool: {IndexView.FORMAT_CSV: lambda value: gettext("Yes") if value else gettext("No")},
    }


class CourseIndexView(SchoolIndexView):
    def search_queryset(self, queryset):
        # The catalogue's search: any Chinese substring, the code, or pinyin (zhibo, zb).
        if not self.is_searching:
            return queryset
        return queryset.filter(search_condition(self.search_query))


class CohortIndexView(SchoolIndexView):
    custom_field_preprocess = {
        "weekdays": {IndexView.FORMAT_CSV: weekday_names, IndexView.FORMAT_XLSX: weekday_names},
    }


class CourseSkillsPanel(InlinePanel):
    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["formset"] = CourseSkillFormSet
        return options


class SchoolViewSet(ModelViewSet):
    index_view_class = SchoolIndexView
    # ORM search (icontains): these models are not in a search index.
    search_backend_name = None
    # Lists select what their columns show, so a page costs the same few queries at any size.
    list_select_related: list[str] = []

    def get_index_view_kwargs(self, **kwargs):
        queryset = self.model._default_manager.select_related(*self.list_select_related)
        return super().get_index_view_kwargs(queryset=queryset, **kwargs)


class ProgramViewSet(SchoolViewSet):
    model = Program
    name = "school_programs"
    url_prefix = "school/programs"
    icon = "folder-open-1"
    list_display = ["name", "name_en", "slug", "sort_order"]
    search_fields = ["name", "name_en", "slug", "description"]
    ordering = ["sort_order", "name"]
    sort_order_field = "sort_order"
    list_export = ["name", "name_en", "slug", "sort_order", "description"]
    export_filename = "programs"
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldRowPanel([FieldPanel("slug"), FieldPanel("code")]),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]


class SkillCategoryViewSet(SchoolViewSet):
    model = SkillCategory
    name = "school_skill_categories"
    url_prefix = "school/skill-categories"
    icon = "tag"
    list_display = ["name", "name_en", "sort_order"]
    search_fields = ["name", "name_en"]
    ordering = ["sort_order", "name"]
    sort_order_field = "sort_order"
    list_export = ["name", "name_en", "sort_order"]
    export_filename = "skill-categories"
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("sort_order"),
    ]


class SkillViewSet(SchoolViewSet):
    model = Skill
    name = "school_skills"
    url_prefix = "school/skills"
    icon = "pick"
    list_display = ["name", "name_en", "slug", "category"]
    list_select_related = ["category"]
    search_fields = ["name", "name_en", "slug", "category__name"]
    list_filter = ["category"]
    ordering = ["category__sort_order", "name"]
    list_export = ["name", "name_en", "slug", "category"]
    export_filename = "skills"
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("slug"),
        FieldPanel("category"),
    ]


class CourseViewSet(SchoolViewSet):
    model = Course
    name = "school_courses"
    url_prefix = "school/courses"
    icon = "doc-full"
    index_view_class = CourseIndexView
    list_display = ["code", "title", "program", "level", "hours", "fee", "subsidised"]
    list_select_related = ["program"]
    search_fields = ["search_text"]  # titles, code and pinyin; see CourseIndexView
    list_filter = ["program", "level", "subsidised"]
    ordering = ["program__sort_order", "code"]
    list_export = [
        "code",
        "title",
        "title_en",
        "program",
        "get_level_display",
        "hours",
        "fee",
        "subsidised",
        "min_attendance_percent",
        "pass_mark",
        "requires_approval",
    ]
    export_headings = {"get_level_display": label(Course, "level")}
    export_filename = "courses"
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("code"), FieldPanel("program")]),
                    FieldRowPanel([FieldPanel("title"), FieldPanel("title_en")]),
                    FieldPanel("summary"),
                ],
                heading=_("Course"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("hours"), FieldPanel("level")]),
                    FieldRowPanel([FieldPanel("fee"), FieldPanel("subsidised")]),
                ],
                heading=_("Hours and fee"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("min_attendance_percent"), FieldPanel("pass_mark")]),
                    FieldPanel("requires_approval"),
                    FieldPanel("prerequisites", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("certificate_template"),
                ],
                heading=_("Completion"),
            ),
            CourseSkillsPanel(
                "course_skills",
                heading=_("Skills taught"),
                label=_("Skill"),
                panels=[FieldRowPanel([FieldPanel("skill"), FieldPanel("level")])],
            ),
        ],
        base_form_class=CourseForm,
    )


class CohortViewSet(SchoolViewSet):
    model = Cohort
    name = "school_cohorts"
    url_prefix = "school/cohorts"
    icon = "calendar"
    index_view_class = CohortIndexView
    list_display = [
        "code",
        "course",
        "start_date",
        "end_date",
        Column("weekdays", label=label(Cohort, "weekdays"), accessor=lambda cohort: weekday_names(cohort.weekdays)),
        "time_of_week",
        "status",
        "capacity",
        "seats_taken",
    ]
    list_select_related = ["course"]
    search_fields = ["code", "course__search_text", "location"]
    list_filter = ["status", "delivery", "time_of_week", "course__program"]
    ordering = ["start_date", "code"]
    list_export = [
        "code",
        "course.code",
        "course.title",
        "start_date",
        "end_date",
        "weekdays",
        "class_starts",
        "class_ends",
        "get_time_of_week_display",
        "get_delivery_display",
        "location",
        "capacity",
        "seats_taken",
        "enrolment_opens",
        "enrolment_closes",
        "get_status_display",
    ]
    export_headings = {
        "course.code": _("Course code"),
        "course.title": label(Cohort, "course"),
        "get_time_of_week_display": label(Cohort, "time_of_week"),
        "get_delivery_display": label(Cohort, "delivery"),
        "get_status_display": label(Cohort, "status"),
    }
    export_filename = "classes"
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel("course"), FieldPanel("code")]), FieldPanel("status")],
                heading=_("Class"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                    FieldPanel("weekdays"),
                    FieldRowPanel([FieldPanel("class_starts"), FieldPanel("class_ends")]),
                ],
                heading=_("Schedule"),
            ),
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel("delivery"), FieldPanel("location")]), FieldPanel("capacity")],
                heading=_("Place and seats"),
            ),
            FieldRowPanel([FieldPanel("enrolment_opens"), FieldPanel("enrolment_closes")], heading=_("Enrolment")),
            FieldPanel("instructors", widget=forms.CheckboxSelectMultiple),
        ],
        base_form_class=CohortForm,
    )


class AssessmentItemForm(WagtailAdminModelForm):
    """An item's weight keeps the course's weights within 100%; scores already entered keep their item
    and fit within its full marks."""

    def clean(self):
        cleaned_data = super().clean()
        course, weight, max_score = (cleaned_data.get(name) for name in ("course", "weight", "max_score"))
        item = self.instance
        if item.pk and course and course.pk != item.course_id and item.scores.exists():
            self.add_error("course", _("Scores have been entered for this item: it cannot move to another course."))
        if course and weight:
            others = AssessmentItem.objects.filter(course=course).exclude(pk=item.pk)
            total = (others.aggregate(total=Sum("weight"))["total"] or 0) + weight
            if total > 100:
                self.add_error(
                    "weight",
                    ValidationError(
                        _("The weights of this course's items would add up to %(total)s%%: at most 100%% in all."),
                        params={"total": total},
                        code="weights",
                    ),
                )
        if item.pk and max_score is not None:
            highest = item.scores.aggregate(highest=Max("score"))["highest"]
            if highest is not None and highest > max_score:
                self.add_error(
                    "max_score",
                    ValidationError(
                        _("A score of %(highest)s has already been entered: full marks cannot be lower."),
                        params={"highest": highest},
                        code="below_scores",
                    ),
                )
        return cleaned_data


class AssessmentItemViewSet(SchoolViewSet):
    # A viewset of its own rather than an InlinePanel on the course: items are a plain ForeignKey.
    model = AssessmentItem
    name = "school_assessment_items"
    url_prefix = "school/assessment-items"
    icon = "tasks"
    list_display = ["name", "course", "weight", "max_score", "sort_order"]
    list_select_related = ["course"]
    search_fields = ["name", "course__search_text"]
    list_filter = ["course"]
    ordering = ["course__code", "sort_order", "pk"]
    list_export = ["course.code", "course.title", "name", "weight", "max_score", "sort_order"]
    export_headings = {"course.code": _("Course code"), "course.title": label(AssessmentItem, "course")}
    export_filename = "assessment-items"
    edit_handler = ObjectList(
        [
            FieldPanel("course"),
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("weight"), FieldPanel("max_score")]),
            FieldPanel("sort_order"),
        ],
        base_form_class=AssessmentItemForm,
    )


class TeachingViewSetGroup(ModelViewSetGroup):
    menu_label = _("Teaching")
    menu_icon = "clipboard-list"
    menu_order = 200
    items = (ProgramViewSet, SkillCategoryViewSet, SkillViewSet, CourseViewSet, CohortViewSet, AssessmentItemViewSet)
