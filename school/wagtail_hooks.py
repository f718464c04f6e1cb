from wagtail import hooks

from school.viewsets import TeachingViewSetGroup


@hooks.register("register_admin_viewset")
def register_teaching_viewsets():
    return TeachingViewSetGroup()
