from wagtail import hooks

from jobs import admin_placements, viewsets

# Before any viewset asks for them (Wagtail creates a default policy on first use).
viewsets.register_permission_policies()
admin_placements.register_permission_policies()


@hooks.register("register_admin_viewset")
def register_job_board_viewsets():
    """Merchants and their review, postings awaiting review, job categories."""
    return viewsets.JobBoardViewSetGroup()


@hooks.register("register_admin_viewset")
def register_placement_viewsets():
    """Placements and their follow-ups (jobs/admin_placements.py)."""
    return admin_placements.PlacementsViewSetGroup()
