"""Back office for placements: the list of hires, a placement recorded by hand (with its follow-ups
scheduled), and the follow-ups, whose outcome staff can record when the merchant or graduate does not
answer. Writes go through jobs.services, as on the site."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from jobs import services
from jobs.models import FollowUp, Placement


class PlacementCreateView(CreateView):
    def save_instance(self):
        return services.placement_record(placement=self.form.instance, actor=self.request.user)


class PlacementViewSet(ModelViewSet):
    model = Placement
    name = "jobs_placements"
    url_prefix = "jobs/placements"
    icon = "user"
    search_backend_name = None
    search_fields = ["graduate__display_name", "graduate__phone", "merchant__name", "position"]
    list_display = ["graduate", "merchant", "position", "start_date", "pay", "ended_on"]
    list_filter = ["merchant", "social_insurance"]
    list_export = [
        "graduate",
        "merchant",
        "position",
        "start_date",
        "pay",
        "pay_period",
        "social_insurance",
        "ended_on",
    ]
    export_filename = "placements"
    add_view_class = PlacementCreateView
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("graduate"), FieldPanel("merchant")]),
            FieldPanel("posting"),
            FieldPanel("position"),
            FieldRowPanel([FieldPanel("start_date"), FieldPanel("ended_on")]),
            FieldRowPanel([FieldPanel("pay"), FieldPanel("pay_period"), FieldPanel("social_insurance")]),
        ]
    )

    def get_queryset(self, request):
        return Placement.objects.select_related("graduate", "merchant")


class AnswerOnlyPolicy(ModelPermissionPolicy):
    """Follow-ups are made by placements; staff only view and answer them."""

    def user_has_permission(self, user, action):
        return action in ("view", "change") and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([action for action in actions if action in ("view", "change")])


class FollowUpAnswerForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["still_employed"].widget = forms.RadioSelect(
            choices=[("true", _("Yes, still working")), ("false", _("No, the job has ended"))]
        )

    def clean_still_employed(self):
        value = self.cleaned_data.get("still_employed")
        if value is None:
            raise ValidationError(_("Record whether the job continues."), code="required")
        return value


class FollowUpEditView(EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.answer_follow_up(
            follow_up=self.object,
            actor=self.request.user,
            still_employed=data["still_employed"],
            note=data.get("note", ""),
        )


class FollowUpViewSet(ModelViewSet):
    model = FollowUp
    name = "jobs_follow_ups"
    url_prefix = "jobs/follow-ups"
    icon = "date"
    search_backend_name = None
    search_fields = ["placement__graduate__display_name", "placement__merchant__name"]
    list_display = ["placement", "day", "due_on", "asked_at", "still_employed", "answered_at"]
    list_filter = ["day", "still_employed"]
    ordering = ["due_on", "pk"]
    edit_view_class = FollowUpEditView
    edit_handler = ObjectList([FieldPanel("still_employed"), FieldPanel("note")], base_form_class=FollowUpAnswerForm)

    def get_queryset(self, request):
        return FollowUp.objects.select_related("placement__graduate", "placement__merchant")


class PlacementsViewSetGroup(ModelViewSetGroup):
    menu_label = _("Placements")
    menu_icon = "user"
    menu_order = 260
    items = (PlacementViewSet, FollowUpViewSet)


def register_permission_policies() -> None:
    from wagtail.permissions import register_permission_policy

    register_permission_policy(FollowUp, AnswerOnlyPolicy(FollowUp))
