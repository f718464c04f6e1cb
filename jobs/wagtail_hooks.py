from wagtail import hooks

from jobs import admin_placements

# Before any viewset asks for them (Wagtail creates a default policy on first use).
admin_placements.register_permission_policies()


@hooks.register("register_admin_viewset")
def register_placement_viewsets():
    """Placements and their follow-ups (jobs/admin_placements.py)."""
    return admin_placements.PlacementsViewSetGroup()
