from wagtail import hooks

from accounts import admin_personal_data
from accounts.admin_lockouts import LockoutViewSet


@hooks.register("register_admin_viewset")
def register_lockout_viewset():
    return LockoutViewSet()


@hooks.register("register_admin_viewset")
def register_deletion_requests():
    return admin_personal_data.DeletionRequestViewSet()


@hooks.register("register_admin_urls")
def register_deletion_request_urls():
    return admin_personal_data.urlpatterns
