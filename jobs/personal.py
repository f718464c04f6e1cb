"""What the public job pages show one visitor alone: the recommendations at the top of the board, and a
posting's match, application and apply button. Rendered as the personal parts of the shared page cache
(cms.cache; the jobs_tags template tags), so the rest of the page is the same for everyone."""

from jobs.models import Application, JobPosting
from jobs.recommendations import match_for, postings_for
from school.permissions import is_student

# "Recommended for you" at the top of the board (jobs/includes/board_recommended.html).
RECOMMENDED_ON_BOARD = 5


def recommended_on_board(user) -> list:
    """The signed-in graduate's best-fitting open postings; none for others."""
    return postings_for(user, limit=RECOMMENDED_ON_BOARD) if is_student(user) else []


def posting_for_visitor(user, posting_id: int, *, taking_applications: bool) -> dict:
    """Their application, their match (a graduate's, while the posting takes applications), and whether
    they may apply."""
    if not user.is_authenticated:
        return {"application": None, "match": None, "can_apply": False}
    application = Application.objects.filter(posting_id=posting_id, graduate=user).first()
    graduate = is_student(user)
    # Matching reads the posting's requirements itself: it needs only the id.
    match = match_for(user, JobPosting(pk=posting_id)) if graduate and taking_applications else None
    return {"application": application, "match": match, "can_apply": graduate}
