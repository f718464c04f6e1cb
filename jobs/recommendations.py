"""What the recommendation pages show: matching's results (jobs.matching.recommend: score, reasons,
missing skills) joined to the postings and profiles they are about. Each is confirmed in the database
as the page reads it (postings still on the board, graduates still sharing their profile), in a fixed
number of queries however many graduates and postings there are."""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from jobs.candidates import candidate_facts, consenting_graduates, invited_pairs
from jobs.matching.recommend import (
    Match,
    candidates_for_posting,
    match_pair,
    postings_for_graduate,
    postings_for_graduates,
)
from jobs.models import CandidateFeatures, GraduateProfile, JobPosting
from jobs.selectors import board_postings
from school.models import Enrollment, SkillLevel

# Asked of matching beyond what a page shows: a posting closed since the index last looked is dropped
# here, and the page still fills up.
SPARE = 3


@dataclass
class RecommendedPosting:
    posting: JobPosting
    match: Match


@dataclass
class RecommendedCandidate:
    profile: GraduateProfile
    facts: dict
    match: Match
    invited: bool


def _labelled(match: Match) -> Match:
    # Templates show a level by its name ("Proficient"), as the posting page does.
    for missing in match.missing:
        missing.level_label = SkillLevel(missing.level).label if missing.level in SkillLevel.values else missing.level
    return match


def _on_board(matches: list[Match], limit: int) -> list[RecommendedPosting]:
    """The matches whose posting is still on the board, with it (merchant, category), best first."""
    postings = board_postings().in_bulk({match.posting_id for match in matches})
    shown = [RecommendedPosting(postings[m.posting_id], _labelled(m)) for m in matches if m.posting_id in postings]
    return shown[:limit]


def postings_for(user, *, limit: int = 5) -> list[RecommendedPosting]:
    """The best postings on the board for a graduate (their dashboard, the board, staff lists)."""
    return _on_board(postings_for_graduate(user, limit=limit + SPARE), limit)


def match_for(user, posting: JobPosting) -> Match | None:
    """How a graduate fits one posting (its page's "Your match"); None when matching knows nothing of them."""
    match = match_pair(user, posting)
    return _labelled(match) if match is not None else None


def best_postings_by_graduate(rows: list[CandidateFeatures], *, limit: int) -> dict[int, list[RecommendedPosting]]:
    """Each graduate's best postings on the board (the staff's list of graduates not yet placed)."""
    matches = postings_for_graduates(rows, limit=limit + SPARE)
    postings = board_postings().in_bulk({m.posting_id for found in matches.values() for m in found})
    return {
        user_id: [RecommendedPosting(postings[m.posting_id], _labelled(m)) for m in found if m.posting_id in postings][
            :limit
        ]
        for user_id, found in matches.items()
    }


def candidates_for(posting: JobPosting, *, viewer, limit: int = 20) -> list[RecommendedCandidate]:
    """The best consenting candidates for a merchant's posting, best first, each with what the school
    proves about them (as candidate search shows it) and whether the viewer's merchant invited them.
    Consent is read again with the profiles: a graduate who withdrew it is not shown, even if matching
    has not caught up yet."""
    matches = candidates_for_posting(posting, limit=limit)
    profiles = {
        profile.user_id: profile
        for profile in consenting_graduates().filter(user_id__in=[match.user_id for match in matches])
    }
    invited = invited_pairs(viewer, [profile.user for profile in profiles.values()])
    return [
        RecommendedCandidate(
            profile=profiles[match.user_id],
            facts=candidate_facts(profiles[match.user_id]),
            match=_labelled(match),
            invited=(posting.pk, match.user_id) in invited,
        )
        for match in matches
        if match.user_id in profiles
    ]


def unplaced_graduates() -> QuerySet[CandidateFeatures]:
    """Graduates (a completed course) who hold no job found through the school, the most recently
    trained first, with the user and their completed courses (`completed_enrollments`)."""
    completed = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
    return (
        CandidateFeatures.objects.filter(placed=False)
        .filter(Exists(completed.filter(student=OuterRef("user"))))
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "user__enrollments",
                queryset=completed.select_related("cohort__course__program").order_by("-cohort__end_date", "-pk"),
                to_attr="completed_enrollments",
            )
        )
        .order_by(F("last_trained_on").desc(nulls_last=True), "user_id")
    )
