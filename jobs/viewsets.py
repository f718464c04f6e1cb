"""The job board's back office for school staff: merchants (review, trust, the licence), the queue of
postings awaiting review, and job categories, under one "Job board" menu. Registered in
jobs/wagtail_hooks.py. Every decision goes through jobs.services, which tells the merchant."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import Button
from wagtail.permission_policies import ModelPermissionPolicy

import django_filters

from jobs import services
from jobs.models import JobCategory, JobPosting, Merchant
from jobs.services import JobError
from school.models import LUOYANG_DISTRICTS
from school.permissions import is_staff
from school.viewsets import SchoolIndexView, label


class ReviewedPermissionPolicy(ModelPermissionPolicy):
    """Merchants apply online and postings are written by merchants: the back office never adds or
    deletes them (not even a superuser); `allowed` says what it may do besides viewing."""

    def __init__(self, model, *, allowed=("view",)):
        super().__init__(model)
        self.allowed = set(allowed)

    def user_has_permission(self, user, action):
        return action in self.allowed and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([action for action in actions if action in self.allowed])


def may_review(user, model=Merchant) -> bool:
    return is_staff(user) and user.has_perm(f"jobs.change_{model._meta.model_name}")


def _require_reviewer(request, model=Merchant) -> None:
    if not may_review(request.user, model):
        raise PermissionDenied


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the merchant sees it)"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Merchants --------------------------------------------------------------------------------------


class MerchantFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("status"), choices=Merchant.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    trusted = django_filters.BooleanFilter(label=gettext_lazy("trusted"))
    district = django_filters.ChoiceFilter(label=gettext_lazy("district"), choices=LUOYANG_DISTRICTS)

    class Meta:
        model = Merchant
        fields = ["status", "trusted", "district", "industry"]


def merchant_buttons(merchant: Merchant, user) -> list[tuple[str, str, str]]:
    """(label, url, icon) of what staff can do with a merchant."""
    buttons = []
    if merchant.licence:
        buttons.append((_("Business licence"), reverse("jobs_merchants:licence", args=[merchant.pk]), "doc-full"))
    if may_review(user):
        if merchant.status != Merchant.Status.APPROVED:
            buttons.append((_("Approve"), reverse("jobs_merchants:approve", args=[merchant.pk]), "success"))
        if merchant.status != Merchant.Status.REJECTED:
            buttons.append((_("Reject"), reverse("jobs_merchants:reject", args=[merchant.pk]), "cross"))
        if merchant.is_approved:
            trust_label = _("Stop trusting") if merchant.trusted else _("Trust (publish without review)")
            buttons.append((trust_label, reverse("jobs_merchants:trust", args=[merchant.pk]), "lock-open"))
    return buttons


# Fields the model leaves unnamed (no verbose_name): their labels here, in the staff's language, rather
# than Django's English "Created at" in the Chinese back office.
MERCHANT_LABELS = {
    "created_at": gettext_lazy("Applied on"),
    "reviewed_by": gettext_lazy("Reviewed by"),
    "reviewed_at": gettext_lazy("Reviewed on"),
    "updated_at": gettext_lazy("Submitted"),
}


class MerchantInspectView(InspectView):
    template_name = "jobs/admin/merchant_inspect.html"

    def get_field_label(self, field_name, field):
        return MERCHANT_LABELS.get(field_name) or super().get_field_label(field_name, field)

    def get_page_subtitle(self):
        return str(self.object)

    def get_licence_display_value(self):
        return _("Open with the “Business licence” button") if self.object.licence else "—"

    @cached_property
    def header_more_buttons(self):
        return [
            Button(text, url=url, icon_name=icon, priority=index)
            for index, (text, url, icon) in enumerate(merchant_buttons(self.object, self.request.user))
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = merchant_buttons(self.object, self.request.user)
        context["members"] = self.object.members.select_related("user")
        return context


def merchant_licence(request, pk: int):
    """The licence, from private storage, to staff only."""
    if not (is_staff(request.user) and request.user.has_perm("jobs.view_merchant")):
        raise PermissionDenied
    merchant = get_object_or_404(Merchant, pk=pk)
    if not merchant.licence:
        raise Http404
    extension = merchant.licence.name.rsplit(".", 1)[-1].lower()
    return FileResponse(merchant.licence.open("rb"), filename=f"licence-{merchant.credit_code}.{extension}")


@require_POST
def merchant_approve(request, pk: int):
    _require_reviewer(request)
    merchant = get_object_or_404(Merchant, pk=pk)
    services.merchant_review(merchant=merchant, reviewer=request.user, approve=True)
    messages.success(request, _("%(merchant)s is approved; its members have been told.") % {"merchant": merchant})
    return redirect("jobs_merchants:inspect", merchant.pk)


def merchant_reject(request, pk: int):
    _require_reviewer(request)
    merchant = get_object_or_404(Merchant, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.merchant_review(
                merchant=merchant, reviewer=request.user, approve=False, reason=form.cleaned_data["reason"]
            )
        except JobError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(merchant)s is rejected; its members have been told.") % {"merchant": merchant}
            )
            return redirect("jobs_merchants:inspect", merchant.pk)
    return TemplateResponse(
        request,
        "jobs/admin/merchant_action.html",
        {
            "object": merchant,
            "form": form,
            "heading": _("Reject merchant"),
            "button": _("Reject"),
            "cancel_url": reverse("jobs_merchants:inspect", args=[merchant.pk]),
        },
    )


@require_POST
def merchant_trust(request, pk: int):
    _require_reviewer(request)
    merchant = get_object_or_404(Merchant, pk=pk)
    try:
        merchant = services.merchant_set_trusted(merchant=merchant, reviewer=request.user, trusted=not merchant.trusted)
    except JobError as error:
        messages.error(request, error.message)
    else:
        if merchant.trusted:
            messages.success(request, _("%(merchant)s is trusted: its postings skip review.") % {"merchant": merchant})
        else:
            messages.success(request, _("%(merchant)s's postings are reviewed again.") % {"merchant": merchant})
    return redirect("jobs_merchants:inspect", merchant.pk)


class MerchantViewSet(ModelViewSet):
    model = Merchant
    name = "jobs_merchants"
    url_prefix = "jobs/merchants"
    icon = "site"
    index_view_class = SchoolIndexView
    inspect_view_class = MerchantInspectView
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["name", "credit_code", "contact_name", "contact_phone"]
    filterset_class = MerchantFilterSet
    list_display = [
        TitleColumn(
            "name",
            label=label(Merchant, "name"),
            get_url=lambda merchant: reverse("jobs_merchants:inspect", args=[merchant.pk]),
        ),
        "credit_code",
        "industry",
        "district",
        "status",
        "trusted",
        Column("created_at", label=MERCHANT_LABELS["created_at"], accessor="created_at"),
    ]
    list_export = [
        "name",
        "credit_code",
        "get_industry_display",
        "get_district_display",
        "address",
        "contact_name",
        "contact_phone",
        "get_status_display",
        "trusted",
        "created_at",
    ]
    export_headings = {
        "get_industry_display": label(Merchant, "industry"),
        "get_district_display": label(Merchant, "district"),
        "get_status_display": label(Merchant, "status"),
        "created_at": MERCHANT_LABELS["created_at"],
    }
    export_filename = "merchants"
    ordering = ["status", "-created_at"]
    inspect_view_fields = [
        "name",
        "credit_code",
        "industry",
        "district",
        "address",
        "contact_name",
        "contact_phone",
        "description",
        "licence",
        "status",
        "review_reason",
        "reviewed_by",
        "reviewed_at",
        "trusted",
        "created_at",
    ]
    # Staff may correct the details; status and trust change only through the review actions.
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("industry"), FieldPanel("district")]),
            FieldPanel("address"),
            FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_phone")]),
            FieldPanel("description"),
        ]
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("licence/<int:pk>/", merchant_licence, name="licence"),
            path("approve/<int:pk>/", merchant_approve, name="approve"),
            path("reject/<int:pk>/", merchant_reject, name="reject"),
            path("trust/<int:pk>/", merchant_trust, name="trust"),
        ]


# --- Postings awaiting review -----------------------------------------------------------------------


class PostingInspectView(InspectView):
    template_name = "jobs/admin/posting_inspect.html"

    def get_field_label(self, field_name, field):
        if field_name == "updated_at":
            return MERCHANT_LABELS["updated_at"]
        return super().get_field_label(field_name, field)

    def get_object(self, queryset=None):
        return get_object_or_404(JobPosting.objects.select_related("merchant", "category"), pk=self.pk)

    def get_page_subtitle(self):
        return str(self.object)

    def get_merchant_display_value(self):
        return self.object.merchant.name

    def get_description_display_value(self):
        return "—"  # shown in full, rendered, below the facts

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        posting = self.object
        context["may_review"] = (
            may_review(self.request.user, JobPosting) and posting.status == JobPosting.Status.PENDING
        )
        context["required_skills"] = posting.required_skills.select_related("skill")
        context["preferred_courses"] = posting.preferred_courses.all()
        context["reason_form"] = ReasonForm()
        return context


@require_POST
def posting_approve(request, pk: int):
    _require_reviewer(request, JobPosting)
    posting = get_object_or_404(JobPosting, pk=pk)
    try:
        services.posting_review(posting=posting, reviewer=request.user, approve=True)
    except JobError as error:
        messages.error(request, error.message)
        return redirect("jobs_posting_review:inspect", posting.pk)
    messages.success(request, _("“%(title)s” is published; the merchant has been told.") % {"title": posting.title})
    return redirect("jobs_posting_review:index")


@require_POST
def posting_return(request, pk: int):
    _require_reviewer(request, JobPosting)
    posting = get_object_or_404(JobPosting, pk=pk)
    form = ReasonForm(request.POST)
    try:
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.posting_review(posting=posting, reviewer=request.user, approve=False, reason=reason)
    except JobError as error:
        messages.error(request, error.message)
        return redirect("jobs_posting_review:inspect", posting.pk)
    messages.success(request, _("“%(title)s” is returned; the merchant has been told.") % {"title": posting.title})
    return redirect("jobs_posting_review:index")


class PostingReviewViewSet(ModelViewSet):
    """The queue: postings waiting for the school's review, the longest-waiting first."""

    model = JobPosting
    name = "jobs_posting_review"
    url_prefix = "jobs/posting-review"
    icon = "tasks"
    menu_label = gettext_lazy("Postings to review")
    index_view_class = SchoolIndexView
    inspect_view_class = PostingInspectView
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["title", "merchant__name"]
    list_filter = ["category", "employment_type"]
    list_display = [
        TitleColumn(
            "title",
            label=label(JobPosting, "title"),
            get_url=lambda posting: reverse("jobs_posting_review:inspect", args=[posting.pk]),
        ),
        Column("merchant", label=label(JobPosting, "merchant"), accessor=lambda posting: posting.merchant.name),
        "category",
        "employment_type",
        "district",
        Column("updated_at", label=gettext_lazy("Submitted"), accessor="updated_at"),
    ]
    ordering = ["updated_at", "pk"]
    inspect_view_fields = [
        "title",
        "merchant",
        "category",
        "status",
        "employment_type",
        "district",
        "address",
        "pay_min",
        "pay_max",
        "pay_period",
        "openings",
        "closing_date",
        "updated_at",
    ]
    form_fields = ["title"]  # never used to edit: see ReviewedPermissionPolicy

    def get_index_view_kwargs(self, **kwargs):
        queryset = JobPosting.objects.filter(status=JobPosting.Status.PENDING).select_related("merchant", "category")
        return super().get_index_view_kwargs(queryset=queryset, **kwargs)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("approve/<int:pk>/", posting_approve, name="approve"),
            path("return/<int:pk>/", posting_return, name="return"),
        ]


# --- Job categories ---------------------------------------------------------------------------------


class JobCategoryViewSet(ModelViewSet):
    model = JobCategory
    name = "jobs_categories"
    url_prefix = "jobs/categories"
    icon = "tag"
    index_view_class = SchoolIndexView
    search_backend_name = None
    search_fields = ["name", "name_en", "slug"]
    list_display = ["name", "name_en", "slug", "sort_order"]
    ordering = ["sort_order", "name"]
    sort_order_field = "sort_order"
    list_export = ["name", "name_en", "slug", "sort_order"]
    export_filename = "job-categories"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
            FieldPanel("slug"),
            FieldPanel("programs", widget=forms.CheckboxSelectMultiple),
            FieldPanel("sort_order"),
        ]
    )


class JobBoardViewSetGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("Job board")
    menu_icon = "site"
    menu_order = 230
    # Other back-office pages join this menu with @hooks.register("register_job_board_menu_item").
    submenu_hook = "register_job_board_menu_item"
    items = (MerchantViewSet, PostingReviewViewSet, JobCategoryViewSet)


def register_permission_policies() -> None:
    from wagtail.permissions import register_permission_policy

    register_permission_policy(Merchant, ReviewedPermissionPolicy(Merchant, allowed=("view", "change")))
    register_permission_policy(JobPosting, ReviewedPermissionPolicy(JobPosting, allowed=("view",)))
