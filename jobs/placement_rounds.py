"""Placement rounds: staff pick graduates (say, a finishing cohort) and open postings with a number of
places each; the optimiser (jobs.matching.rounds) proposes the assignment with the greatest total score
that respects every posting's places and every graduate's own wishes; staff adjust it (their choices are
pinned and kept when proposing again); sending invites each graduate to apply for their posting.

Every write locks the round's row first, so two members of staff working on one round take turns and
places are counted under that lock. Recommendations inform; people decide: nothing is applied for a
graduate, they are only invited."""

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.matching.features import posting_vector, postings_with_requirements, refresh_candidates
from jobs.matching.index import CandidateIndex
from jobs.matching.recommend import Match, explain_pairs
from jobs.matching.rounds import optimal_assignment, preferences_allow, score_matrix
from jobs.models import (
    Application,
    CandidateFeatures,
    CandidateInvitation,
    JobPosting,
    Placement,
    PlacementProposal,
    PlacementRound,
    PlacementRoundGraduate,
    PlacementRoundPosting,
)
from jobs.services import JobError, _tell_invited
from school.models import Cohort, Course, Enrollment, Skill, SkillLevel
from school.permissions import is_staff

User = get_user_model()
Status = PlacementRound.Status


def may_run_rounds(user) -> bool:
    """School staff holding the permission (granted to the staff role): the pages and the API ask this."""
    return is_staff(user) and user.has_perm("jobs.change_placementround")


def open_postings() -> QuerySet[JobPosting]:
    """What a round may offer: published postings, not past their closing date, with an opening left."""
    return JobPosting.objects.on_board().filter(hired_count__lt=F("openings"))


def openings_left(posting: JobPosting) -> int:
    return max(posting.openings - posting.hired_count, 0)


def graduates_of(cohorts) -> QuerySet:
    """The students who completed one of these classes."""
    return User.objects.filter(
        enrollments__cohort__in=cohorts, enrollments__status=Enrollment.Status.COMPLETED
    ).distinct()


def unplaced_graduates() -> QuerySet:
    """Everyone who completed a course and holds no job found through the school."""
    placed = Placement.objects.filter(ended_on__isnull=True).values("graduate_id")
    return (
        User.objects.filter(enrollments__status=Enrollment.Status.COMPLETED, is_active=True)
        .exclude(pk__in=placed)
        .distinct()
    )


def finishing_cohorts() -> QuerySet[Cohort]:
    """The classes a round is usually made from: running (about to finish) or finished."""
    return (
        Cohort.objects.filter(status__in=[Cohort.Status.RUNNING, Cohort.Status.FINISHED])
        .select_related("course")
        .order_by("-end_date", "code")
    )


# --- Writes ---------------------------------------------------------------------------------------------


def _pk(thing) -> int:
    return int(getattr(thing, "pk", thing))


def _check_staff(actor) -> None:
    if not may_run_rounds(actor):
        raise JobError(_("Only school staff can run placement rounds."), code="forbidden")


def _locked(round: PlacementRound) -> PlacementRound:
    return PlacementRound.objects.select_for_update().get(pk=round.pk)


def _check_not_sent(placement_round: PlacementRound) -> None:
    if placement_round.status == Status.SENT:
        raise JobError(
            _("The invitations of this round have been sent: it can no longer change. Start a new round."),
            code="sent",
        )


def _clip(value: float) -> float:
    return float(min(max(value, 0.0), 100.0))


@transaction.atomic
def round_create(
    *,
    name: str,
    graduates,
    postings,
    actor,
    capacities: dict[int, int] | None = None,
    min_score: float | None = None,
) -> PlacementRound:
    """A draft round of these graduates (users or ids) and postings (postings or ids). Every posting is
    published and open; its places (`capacities`, posting id → places) default to its openings left and
    never exceed them. Every graduate has a matching row afterwards (built from their record if missing);
    someone with nothing to match (no completed course, no job profile) is refused."""
    _check_staff(actor)
    name = (name or "").strip()
    if not name:
        raise JobError(_("Give the round a name."), code="name_required")
    graduate_ids = sorted({_pk(graduate) for graduate in graduates})
    posting_ids = sorted({_pk(posting) for posting in postings})
    if not graduate_ids:
        raise JobError(_("Pick at least one graduate."), code="no_graduates")
    if not posting_ids:
        raise JobError(_("Pick at least one open posting."), code="no_postings")
    found = JobPosting.objects.in_bulk(posting_ids)
    if unknown := [pk for pk in posting_ids if pk not in found]:
        raise JobError(_("There is no posting number %(id)s.") % {"id": unknown[0]}, code="unknown_posting")
    open_ids = set(open_postings().filter(pk__in=posting_ids).values_list("pk", flat=True))
    if closed := [found[pk] for pk in posting_ids if pk not in open_ids]:
        raise JobError(
            _("“%(title)s” is not open: a round offers published postings that are still open, with an opening left.")
            % {"title": closed[0].title},
            code="posting_not_open",
        )
    capacities = {int(pk): capacity for pk, capacity in (capacities or {}).items()}
    if stray := [pk for pk in capacities if pk not in found]:
        raise JobError(_("Posting number %(id)s is not part of this round.") % {"id": stray[0]}, code="unknown_posting")
    places = {}
    for pk in posting_ids:
        left = openings_left(found[pk])
        places[pk] = capacities.get(pk, left)
        if places[pk] is None or not 0 <= int(places[pk]) <= left:
            raise JobError(
                _("“%(title)s” has %(left)s openings left: give it between 0 and %(left)s places.")
                % {"title": found[pk].title, "left": left},
                code="over_capacity",
            )
    min_score = PlacementRound._meta.get_field("min_score").default if min_score is None else float(min_score)
    if not 0 <= min_score <= 100:
        raise JobError(_("The lowest score proposed is between 0 and 100."), code="min_score")
    people = User.objects.in_bulk(graduate_ids)
    if unknown := [pk for pk in graduate_ids if pk not in people]:
        raise JobError(_("There is no graduate number %(id)s.") % {"id": unknown[0]}, code="unknown_graduate")
    matched = set(CandidateFeatures.objects.filter(user_id__in=graduate_ids).values_list("user_id", flat=True))
    if missing := [pk for pk in graduate_ids if pk not in matched]:
        # Matching rows are kept current after each commit; one may not be there yet (or ever was).
        refresh_candidates(missing)
        matched = set(CandidateFeatures.objects.filter(user_id__in=missing).values_list("user_id", flat=True))
        if nothing := [pk for pk in missing if pk not in matched]:
            raise JobError(
                _("%(name)s has neither a completed course nor a job profile, so there is nothing to match.")
                % {"name": people[nothing[0]].display_name},
                code="nothing_to_match",
            )
    placement_round = PlacementRound(name=name, created_by=actor, min_score=min_score)
    placement_round.full_clean()
    placement_round.save()
    PlacementRoundGraduate.objects.bulk_create(
        [PlacementRoundGraduate(round=placement_round, graduate_id=pk) for pk in graduate_ids]
    )
    PlacementRoundPosting.objects.bulk_create(
        [PlacementRoundPosting(round=placement_round, posting_id=pk, capacity=int(places[pk])) for pk in posting_ids]
    )
    return placement_round


def _already_asked(graduate_ids, posting_ids) -> set[tuple[int, int]]:
    """(graduate, posting) pairs where the graduate applied or was invited already: never proposed again."""
    applied = Application.objects.filter(graduate_id__in=graduate_ids, posting_id__in=posting_ids)
    invited = CandidateInvitation.objects.filter(graduate_id__in=graduate_ids, posting_id__in=posting_ids)
    return set(applied.values_list("graduate_id", "posting_id")) | set(invited.values_list("graduate_id", "posting_id"))


@transaction.atomic
def round_propose(*, round: PlacementRound, actor) -> PlacementRound:
    """Propose the assignment with the greatest total score: no posting gets more graduates than its
    places (fewer if it has filled or closed since), each graduate at most one posting they would want
    (kind of work, place, pay), none below the round's lowest score, none for a posting they already
    applied to or were invited to. Staff's pinned choices are kept and the rest is optimised around them;
    every other proposal is replaced. A round whose invitations were sent is refused."""
    _check_staff(actor)
    placement_round = _locked(round)
    _check_not_sent(placement_round)
    graduate_ids = list(placement_round.round_graduates.order_by("graduate_id").values_list("graduate_id", flat=True))
    entries = list(placement_round.round_postings.order_by("posting_id"))
    columns = [entry.posting_id for entry in entries]
    column_of = {posting_id: column for column, posting_id in enumerate(columns)}
    postings = {p.pk: p for p in postings_with_requirements(JobPosting.objects.filter(pk__in=columns))}
    still_open = set(open_postings().filter(pk__in=columns).values_list("pk", flat=True))
    # A posting that filled or closed since the round was made takes no one more than it can.
    capacity = [
        min(entry.capacity, openings_left(postings[entry.posting_id])) if entry.posting_id in still_open else 0
        for entry in entries
    ]
    pinned = {proposal.graduate_id: proposal for proposal in placement_round.proposals.filter(pinned=True)}
    pinned_to = Counter(proposal.posting_id for proposal in pinned.values() if proposal.posting_id in column_of)
    for posting_id, count in pinned_to.items():
        if count > capacity[column_of[posting_id]]:
            raise JobError(
                _(
                    "“%(title)s” can take %(places)s of this round's graduates now, but %(pinned)s are pinned to "
                    "it: move some of them elsewhere first."
                )
                % {"title": postings[posting_id].title, "places": capacity[column_of[posting_id]], "pinned": count},
                code="over_capacity",
            )

    rows = list(CandidateFeatures.objects.filter(user_id__in=graduate_ids).order_by("user_id"))
    index = CandidateIndex.from_rows(rows)
    vectors = [posting_vector(postings[posting_id]) for posting_id in columns]
    scores = score_matrix(index, vectors, timezone.localdate())
    allowed = preferences_allow(index, vectors) & (scores >= placement_round.min_score)
    for graduate_id, posting_id in _already_asked(graduate_ids, columns):
        if graduate_id in index.row_of:
            allowed[index.row_of[graduate_id], column_of[posting_id]] = False
    fixed = {
        index.row_of[graduate_id]: column_of.get(proposal.posting_id)
        for graduate_id, proposal in pinned.items()
        if graduate_id in index.row_of
    }
    assignment = optimal_assignment(scores, capacity, allowed, fixed)

    def pair_score(graduate_id, posting_id) -> float | None:
        if posting_id is None or graduate_id not in index.row_of:
            return None
        return _clip(scores[index.row_of[graduate_id], column_of[posting_id]])

    placement_round.proposals.filter(pinned=False).delete()
    proposals = []
    for graduate_id in graduate_ids:
        if graduate_id in pinned:
            continue
        column = assignment.get(index.row_of[graduate_id]) if graduate_id in index.row_of else None
        posting_id = columns[column] if column is not None else None
        proposals.append(
            PlacementProposal(
                round=placement_round,
                graduate_id=graduate_id,
                posting_id=posting_id,
                score=pair_score(graduate_id, posting_id),
            )
        )
    PlacementProposal.objects.bulk_create(proposals)
    # Pinned pairs keep their posting; their score follows the graduate's record as it is now.
    for proposal in pinned.values():
        proposal.score = pair_score(proposal.graduate_id, proposal.posting_id)
    PlacementProposal.objects.bulk_update(pinned.values(), ["score"])
    placement_round.status, placement_round.proposed_at = Status.PROPOSED, timezone.now()
    placement_round.save(update_fields=["status", "proposed_at"])
    return placement_round


def _pair_score(graduate_id: int, posting: JobPosting) -> float | None:
    row = CandidateFeatures.objects.filter(user_id=graduate_id).first()
    if row is None:
        return None
    vector = posting_vector(postings_with_requirements(JobPosting.objects.filter(pk=posting.pk)).get())
    return _clip(score_matrix(CandidateIndex.from_rows([row]), [vector], timezone.localdate())[0, 0])


@transaction.atomic
def round_adjust(*, round: PlacementRound, graduate, posting, actor) -> PlacementProposal:
    """Staff place a graduate of the round on one of its postings, or on none this round (`posting`
    None). The choice is pinned: proposing again keeps it. Refused when the posting is not in the round,
    has closed or filled since, or has all its places in the round taken; when the graduate already
    applied to it or was invited to it; and once the round's invitations were sent."""
    _check_staff(actor)
    placement_round = _locked(round)
    _check_not_sent(placement_round)
    graduate_id = _pk(graduate)
    if not placement_round.round_graduates.filter(graduate_id=graduate_id).exists():
        raise JobError(_("That graduate is not part of this round."), code="unknown_graduate")
    posting_id, pair_score = None, None
    if posting is not None:
        entry = placement_round.round_postings.select_related("posting").filter(posting_id=_pk(posting)).first()
        if entry is None:
            raise JobError(_("That posting is not part of this round."), code="unknown_posting")
        posting_id = entry.posting_id
        if not open_postings().filter(pk=posting_id).exists():
            raise JobError(
                _("“%(title)s” has closed or filled since the round was made.") % {"title": entry.posting.title},
                code="posting_not_open",
            )
        taken = placement_round.proposals.filter(posting_id=posting_id).exclude(graduate_id=graduate_id).count()
        if taken >= entry.capacity:
            raise JobError(
                _(
                    "All %(places)s places of “%(title)s” in this round are taken: move someone out of it first, "
                    "or leave this graduate where they are."
                )
                % {"places": entry.capacity, "title": entry.posting.title},
                code="over_capacity",
            )
        if (graduate_id, posting_id) in _already_asked([graduate_id], [posting_id]):
            raise JobError(
                _("This graduate has already applied for “%(title)s” or been invited to it.")
                % {"title": entry.posting.title},
                code="already_asked",
            )
        pair_score = _pair_score(graduate_id, entry.posting)
    proposal, _created = PlacementProposal.objects.update_or_create(
        round=placement_round,
        graduate_id=graduate_id,
        defaults={"posting_id": posting_id, "score": pair_score, "pinned": True},
    )
    return proposal


@transaction.atomic
def round_unpin(*, round: PlacementRound, graduate, actor) -> PlacementProposal:
    """Let the optimiser decide for this graduate again the next time the round is proposed (their
    current proposal stays until then)."""
    _check_staff(actor)
    placement_round = _locked(round)
    _check_not_sent(placement_round)
    proposal = placement_round.proposals.filter(graduate_id=_pk(graduate)).first()
    if proposal is None:
        raise JobError(_("That graduate is not part of this round."), code="unknown_graduate")
    if proposal.pinned:
        proposal.pinned = False
        proposal.save(update_fields=["pinned"])
    return proposal


@dataclass
class Sent:
    invited: int  # graduates told now
    skipped: int  # left out: the posting closed or filled, or the graduate applied meanwhile


@transaction.atomic
def round_send(*, round: PlacementRound, actor) -> Sent:
    """Invite each graduate proposed for a posting to apply for it, and tell them. Safe to repeat: a
    proposal already carrying its invitation is never sent again, so sending twice tells nobody twice.
    Proposals whose posting closed or filled since, or whose graduate applied meanwhile, are left out.
    Afterwards the round can no longer change."""
    _check_staff(actor)
    placement_round = _locked(round)
    if placement_round.status == Status.DRAFT:
        raise JobError(_("Propose the round before sending its invitations."), code="not_proposed")
    due = list(
        placement_round.proposals.filter(posting__isnull=False, invitation__isnull=True).select_related(
            "graduate", "posting__merchant"
        )
    )
    posting_ids = {proposal.posting_id for proposal in due}
    still_open = set(open_postings().filter(pk__in=posting_ids).values_list("pk", flat=True))
    applied = set(
        Application.objects.filter(
            graduate_id__in=[proposal.graduate_id for proposal in due], posting_id__in=posting_ids
        ).values_list("graduate_id", "posting_id")
    )
    invited, linked = 0, []
    for proposal in due:
        if proposal.posting_id not in still_open or (proposal.graduate_id, proposal.posting_id) in applied:
            continue
        # No consent to share with merchants is needed here, unlike invite_candidate: the school writes
        # to its own graduate and the merchant learns nothing about them unless they choose to apply.
        invitation, created = CandidateInvitation.objects.get_or_create(
            posting=proposal.posting, graduate=proposal.graduate, defaults={"invited_by": actor}
        )
        proposal.invitation = invitation
        linked.append(proposal)
        if created:
            _tell_invited(invitation, by_school=True)
            invited += 1
    PlacementProposal.objects.bulk_update(linked, ["invitation"])
    if placement_round.status != Status.SENT:
        placement_round.status, placement_round.sent_at = Status.SENT, timezone.now()
        placement_round.save(update_fields=["status", "sent_at"])
    return Sent(invited=invited, skipped=len(due) - len(linked))


# --- Reads shared by the pages and the API --------------------------------------------------------------


def rounds_for_list() -> QuerySet[PlacementRound]:
    # Counted in subqueries: joining both would multiply a round's graduates by its proposals.
    return PlacementRound.objects.select_related("created_by").annotate(
        graduate_count=_count_of(PlacementRoundGraduate.objects.filter(round=OuterRef("pk"))),
        assigned_count=_count_of(PlacementProposal.objects.filter(round=OuterRef("pk"), posting__isnull=False)),
    )


def _count_of(queryset) -> Coalesce:
    counted = queryset.order_by().values("round").annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted), 0)


@dataclass
class PostingLine:
    entry: PlacementRoundPosting
    assigned: int

    @property
    def posting(self) -> JobPosting:
        return self.entry.posting


@dataclass
class ProposalLine:
    proposal: PlacementProposal
    match: Match | None  # reasons and missing skills, when proposed for a posting

    @property
    def percent(self) -> int | None:
        return None if self.proposal.score is None else int(round(self.proposal.score))

    @property
    def reasons(self):
        return self.match.reasons if self.match else []

    @property
    def missing(self) -> list["MissingLine"]:
        return [MissingLine(m.skill, m.level, m.course) for m in self.match.missing] if self.match else []


@dataclass
class MissingLine:
    """A skill the posting asks for that the graduate has not shown, and a course that teaches it."""

    skill: Skill
    level: int
    course: Course | None

    @property
    def level_label(self) -> str:
        return str(dict(SkillLevel.choices).get(self.level, self.level))


@dataclass
class RoundSummary:
    round: PlacementRound
    postings: list[PostingLine]
    graduates: int
    assigned: int
    places: int
    total_score: float
    lines: list[ProposalLine] = field(default_factory=list)


def round_summary(placement_round: PlacementRound) -> RoundSummary:
    """The round's postings with how many of its graduates each takes, and the totals. A fixed number
    of queries, whatever the round's size."""
    entries = list(
        placement_round.round_postings.select_related("posting__merchant").order_by("posting__title", "posting_id")
    )
    per_posting = dict(
        placement_round.proposals.filter(posting__isnull=False)
        .values("posting_id")
        .annotate(count=Count("pk"))
        .values_list("posting_id", "count")
    )
    totals = placement_round.proposals.aggregate(
        assigned=Count("pk", filter=Q(posting__isnull=False)),
        total_score=Sum("score", filter=Q(posting__isnull=False)),
    )
    return RoundSummary(
        round=placement_round,
        postings=[PostingLine(entry, per_posting.get(entry.posting_id, 0)) for entry in entries],
        graduates=placement_round.round_graduates.count(),
        assigned=totals["assigned"],
        places=sum(entry.capacity for entry in entries),
        total_score=float(totals["total_score"] or 0),
    )


def proposals_of(placement_round: PlacementRound) -> QuerySet[PlacementProposal]:
    return placement_round.proposals.select_related("graduate", "posting__merchant", "invitation").order_by(
        "graduate__display_name", "graduate_id"
    )


def proposal_lines(proposals) -> list[ProposalLine]:
    """Each proposal with its reasons and missing skills, worked out now in the active language (the
    stored score is the one the optimiser used)."""
    proposals = list(proposals)
    matches = {
        (match.user_id, match.posting_id): match
        for match in explain_pairs(
            (proposal.graduate_id, proposal.posting_id) for proposal in proposals if proposal.posting_id
        )
    }
    return [ProposalLine(proposal, matches.get((proposal.graduate_id, proposal.posting_id))) for proposal in proposals]
