from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from school import admin_certificates, admin_views
from school.permissions import is_staff
from school.viewsets import TeachingViewSetGroup

# Before any viewset asks for them (Wagtail creates a default policy on first use).
admin_certificates.register_permission_policies()
# Certificates, their templates (a snippet, with a live PDF preview) and the audit log, in one menu.
register_snippet(admin_certificates.CertificatesViewSetGroup)


@hooks.register("register_admin_viewset")
def register_teaching_viewsets():
    return TeachingViewSetGroup()


@hooks.register("register_admin_viewset")
def register_enrolment_viewset():
    return admin_views.EnrollmentViewSet()


@hooks.register("register_admin_urls")
def register_enrolment_urls():
    return admin_views.urlpatterns


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_referrals_menu_item():
    return StaffMenuItem(_("Referrals"), reverse("school_referrals"), icon_name="link", order=220)
