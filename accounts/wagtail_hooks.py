from wagtail import hooks

from accounts.admin_lockouts import LockoutViewSet


@hooks.register("register_admin_viewset")
def register_lockout_viewset():
    return LockoutViewSet()
