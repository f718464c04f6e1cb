"""Placement rounds in the back office, under the "Job board" menu: the list of rounds, a new round
(graduates by class or every graduate not yet placed; open postings with their places), and one round —
each graduate's proposed posting with its score and reasons, moving a graduate (which pins the choice),
proposing again around the pins, and sending the invitations. Every view checks may_run_rounds; every
write goes through jobs.placement_rounds, as the API does."""

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from jobs import placement_rounds as service
from jobs.models import JobPosting, PlacementRound
from jobs.services import JobError
from school.models import Cohort

PER_PAGE = 50
SHOW = {
    "all": gettext_lazy("Everyone"),
    "assigned": gettext_lazy("Proposed for a posting"),
    "unassigned": gettext_lazy("No posting this round"),
    "pinned": gettext_lazy("Chosen by staff"),
}


def _require(request) -> None:
    if not service.may_run_rounds(request.user):
        raise PermissionDenied


class RoundForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("placement round", "Name"), max_length=100)
    cohorts = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Classes"),
        help_text=gettext_lazy("Their students who completed the class."),
        queryset=Cohort.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    unplaced = forms.BooleanField(label=gettext_lazy("Every graduate not yet placed"), required=False)
    postings = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Open postings"), queryset=JobPosting.objects.none(), required=False
    )
    min_score = forms.FloatField(
        label=gettext_lazy("Lowest score proposed"),
        min_value=0,
        max_value=100,
        initial=PlacementRound._meta.get_field("min_score").default,
        help_text=PlacementRound._meta.get_field("min_score").help_text,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohorts"].queryset = service.finishing_cohorts().filter(
            end_date__gte=timezone.localdate() - datetime.timedelta(days=365)
        )
        self.fields["cohorts"].label_from_instance = lambda cohort: (
            _("%(code)s %(course)s (last day %(date)s)")
            % {
                "code": cohort.code,
                "course": cohort.course.display_title,
                "date": date_format(cohort.end_date, "SHORT_DATE_FORMAT"),
            }
        )
        self.open_postings = list(
            service.open_postings().select_related("merchant").order_by("merchant__name", "title")
        )
        self.fields["postings"].queryset = service.open_postings()
        for posting in self.open_postings:
            left = service.openings_left(posting)
            self.fields[f"capacity_{posting.pk}"] = forms.IntegerField(
                label=gettext_lazy("Places"), min_value=0, max_value=left, initial=left, required=False
            )

    def posting_rows(self):
        """(posting, ticked, places field) for the table of postings; every posting is ticked at first."""
        chosen = {str(pk) for pk in self.data.getlist("postings")} if self.is_bound else None
        return [
            (posting, chosen is None or str(posting.pk) in chosen, self[f"capacity_{posting.pk}"])
            for posting in self.open_postings
        ]

    def clean(self):
        data = super().clean()
        if not data.get("cohorts") and not data.get("unplaced"):
            raise forms.ValidationError(_("Pick one or more classes, or every graduate not yet placed."))
        return data

    def graduates(self) -> list[int]:
        ids = set()
        if self.cleaned_data["cohorts"]:
            ids |= set(service.graduates_of(self.cleaned_data["cohorts"]).values_list("pk", flat=True))
        if self.cleaned_data["unplaced"]:
            ids |= set(service.unplaced_graduates().values_list("pk", flat=True))
        return sorted(ids)

    def capacities(self) -> dict[int, int]:
        return {
            posting.pk: self.cleaned_data[f"capacity_{posting.pk}"]
            for posting in self.cleaned_data["postings"]
            if self.cleaned_data.get(f"capacity_{posting.pk}") is not None
        }


def round_index(request):
    _require(request)
    rounds = service.rounds_for_list()
    return TemplateResponse(request, "jobs/admin/placement_round_index.html", {"rounds": rounds})


def round_create(request):
    _require(request)
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            placement_round = service.round_create(
                name=form.cleaned_data["name"],
                graduates=form.graduates(),
                postings=form.cleaned_data["postings"],
                capacities=form.capacities(),
                min_score=form.cleaned_data["min_score"],
                actor=request.user,
            )
        except JobError as error:
            messages.error(request, error.message)
        else:
            try:
                service.round_propose(round=placement_round, actor=request.user)
            except JobError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The round is proposed: check it, adjust it, then send the invitations."))
            return redirect("jobs_placement_rounds:detail", placement_round.pk)
    return TemplateResponse(request, "jobs/admin/placement_round_create.html", {"form": form})


def round_detail(request, pk: int):
    _require(request)
    placement_round = get_object_or_404(PlacementRound.objects.select_related("created_by"), pk=pk)
    show = request.GET.get("show") if request.GET.get("show") in SHOW else "all"
    proposals = service.proposals_of(placement_round)
    if show == "assigned":
        proposals = proposals.filter(posting__isnull=False)
    elif show == "unassigned":
        proposals = proposals.filter(posting__isnull=True)
    elif show == "pinned":
        proposals = proposals.filter(pinned=True)
    paginator = Paginator(proposals, PER_PAGE)
    page = paginator.get_page(request.GET.get("p"))
    summary = service.round_summary(placement_round)
    lines = service.proposal_lines(page.object_list)
    options = _move_options(summary)
    return TemplateResponse(
        request,
        "jobs/admin/placement_round_detail.html",
        {
            "round": placement_round,
            "summary": summary,
            "lines": lines,
            "rows": [(line, _selected(options, line.proposal.posting_id)) for line in lines],
            "page": page,
            "elided_page_range": paginator.get_elided_page_range(page.number),
            "show": show,
            "show_choices": SHOW.items(),
            "editable": placement_round.status != PlacementRound.Status.SENT,
            "back": urlencode({"show": show, "p": page.number}),
        },
    )


def _move_options(summary) -> str:
    """The <option>s of the "move to" select, rendered once: a page shows it on every row, and rendering
    a round's hundreds of postings in the template for each row would take seconds."""
    return format_html(
        '<option value="">{}</option>{}',
        _("No posting this round"),
        format_html_join(
            "",
            '<option value="{}">{} · {} ({}/{})</option>',
            (
                (
                    line.entry.posting_id,
                    line.posting.title,
                    line.posting.merchant.name,
                    line.assigned,
                    line.entry.capacity,
                )
                for line in summary.postings
            ),
        ),
    )


def _selected(options: str, posting_id: int | None) -> str:
    if posting_id is None:
        return options  # the first option, "no posting", is selected by default
    return mark_safe(options.replace(f'<option value="{posting_id}">', f'<option value="{posting_id}" selected>', 1))  # noqa: S308


def _back_to_detail(request, placement_round):
    """The round's page, at the filter and page the form was sent from."""
    query = {key: request.POST[key] for key in ("show", "p") if request.POST.get(key)}
    url = reverse("jobs_placement_rounds:detail", args=[placement_round.pk])
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@require_POST
def round_propose(request, pk: int):
    _require(request)
    placement_round = get_object_or_404(PlacementRound, pk=pk)
    try:
        service.round_propose(round=placement_round, actor=request.user)
    except JobError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Proposed again; staff's choices were kept."))
    return _back_to_detail(request, placement_round)


@require_POST
def round_adjust(request, pk: int):
    _require(request)
    placement_round = get_object_or_404(PlacementRound, pk=pk)
    posting = request.POST.get("posting") or None
    try:
        service.round_adjust(
            round=placement_round,
            graduate=_number(request.POST.get("graduate")),
            posting=_number(posting) if posting else None,
            actor=request.user,
        )
    except JobError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Moved; proposing again keeps this choice."))
    return _back_to_detail(request, placement_round)


@require_POST
def round_unpin(request, pk: int):
    _require(request)
    placement_round = get_object_or_404(PlacementRound, pk=pk)
    try:
        service.round_unpin(round=placement_round, graduate=_number(request.POST.get("graduate")), actor=request.user)
    except JobError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The next proposal decides for this graduate again."))
    return _back_to_detail(request, placement_round)


def round_send(request, pk: int):
    """A confirmation page (GET), then the invitations (POST)."""
    _require(request)
    placement_round = get_object_or_404(PlacementRound, pk=pk)
    if request.method == "POST":
        try:
            sent = service.round_send(round=placement_round, actor=request.user)
        except JobError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(invited)s graduates invited to apply; %(skipped)s left out (posting closed or already applied).")
                % {"invited": sent.invited, "skipped": sent.skipped},
            )
        return redirect("jobs_placement_rounds:detail", placement_round.pk)
    summary = service.round_summary(placement_round)
    due = placement_round.proposals.filter(posting__isnull=False, invitation__isnull=True).count()
    return TemplateResponse(
        request,
        "jobs/admin/placement_round_send.html",
        {"round": placement_round, "summary": summary, "due": due},
    )


def _number(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise JobError(_("Choose from the list."), code="invalid") from None


class RoundsMenuItem(MenuItem):
    def is_shown(self, request):
        return service.may_run_rounds(request.user)


class PlacementRoundViewSet(ViewSet):
    name = "jobs_placement_rounds"
    url_prefix = "jobs/placement-rounds"
    icon = "group"
    menu_label = gettext_lazy("Placement rounds")
    menu_item_class = RoundsMenuItem

    def get_urlpatterns(self):
        return [
            path("", round_index, name="index"),
            path("new/", round_create, name="create"),
            path("<int:pk>/", round_detail, name="detail"),
            path("<int:pk>/propose/", round_propose, name="propose"),
            path("<int:pk>/adjust/", round_adjust, name="adjust"),
            path("<int:pk>/unpin/", round_unpin, name="unpin"),
            path("<int:pk>/send/", round_send, name="send"),
        ]
