from wagtail import hooks

from jobs import admin_placements, admin_rounds, admin_unplaced, viewsets

# Before any viewset asks for them (Wagtail creates a default policy on first use).
viewsets.register_permission_policies()
admin_placements.register_permission_policies()


class JobBoardWithRounds(viewsets.JobBoardViewSetGroup):
    # Placement rounds sit in the same "Job board" menu (jobs/admin_rounds.py).
    items = (*viewsets.JobBoardViewSetGroup.items, admin_rounds.PlacementRoundViewSet)


@hooks.register("register_admin_viewset")
def register_job_board_viewsets():
    """Merchants and their review, postings awaiting review, job categories, placement rounds."""
    return JobBoardWithRounds()


@hooks.register("register_admin_viewset")
def register_placement_viewsets():
    """Placements and their follow-ups (jobs/admin_placements.py)."""
    return admin_placements.PlacementsViewSetGroup()


@hooks.register("register_job_board_menu_item")
def register_unplaced_graduates_menu_item():
    """Graduates not yet placed, with their best matches (jobs/admin_unplaced.py), in the Job board menu."""
    return admin_unplaced.menu_item()


@hooks.register("register_admin_urls")
def register_unplaced_graduates_urls():
    return admin_unplaced.urlpatterns


@hooks.register("register_reports_menu_item")
def register_outcomes_menu_item():
    """Outcome reports (jobs/admin_outcomes.py) in the Reports menu, for school staff."""
    from jobs import admin_outcomes

    return admin_outcomes.menu_item()


@hooks.register("register_admin_urls")
def register_outcomes_urls():
    from jobs import admin_outcomes

    return admin_outcomes.urlpatterns


@hooks.register("register_admin_urls")
def register_outcomes_report_urls():
    """The monthly outcomes report as a PDF, for staff: /admin/outcomes/report.pdf?month=YYYY-MM."""
    from jobs.outcomes.report import urlpatterns

    return urlpatterns
