"""The back office for personal-data requests: the list of deletion requests (a Wagtail viewset) and the
page where staff complete or refuse one, with the person's log. Registered in accounts/wagtail_hooks.py."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet

from accounts import personal_data
from accounts.models import DeletionRequest, PersonalDataEvent
from accounts.personal_data import PersonalDataError
from accounts.roles import is_school_staff


class DeletionRequestViewSet(ModelViewSet):
    model = DeletionRequest
    name = "accounts_deletion_requests"
    url_prefix = "accounts/deletion-requests"
    icon = "bin"
    menu_label = gettext_lazy("Deletion requests")
    add_to_admin_menu = True
    menu_order = 290
    search_backend_name = None
    search_fields = ["user__display_name", "user__phone"]
    list_filter = ["status"]
    list_display = [
        TitleColumn(
            "user",
            label=gettext_lazy("Person"),
            accessor=lambda r: r.user.display_name or r.user.phone,
            get_url=lambda r: reverse("accounts_deletion_request_answer", args=[r.pk]),
        ),
        "status",
        "requested_at",
        Column("completed_by", label=gettext_lazy("Handled by"), accessor=lambda r: r.completed_by or "—"),
        "completed_at",
    ]
    ordering = ["-requested_at"]
    form_fields = ["response"]  # never edited here: answers go through the answer page

    def get_index_view_kwargs(self, **kwargs):
        queryset = DeletionRequest.objects.select_related("user", "completed_by")
        return super().get_index_view_kwargs(queryset=queryset, **kwargs)


class RefuseForm(forms.Form):
    response = forms.CharField(label=gettext_lazy("Why (the person is told)"), max_length=300)


def answer(request, pk: int):
    if not is_school_staff(request.user):
        raise PermissionDenied
    deletion = get_object_or_404(DeletionRequest.objects.select_related("user", "completed_by"), pk=pk)
    refuse_form = RefuseForm(request.POST or None, prefix="refuse")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "complete":
                personal_data.complete_deletion(request=deletion, actor=request.user)
                messages.success(request, _("The person's data has been erased."))
            elif request.POST.get("action") == "refuse" and refuse_form.is_valid():
                personal_data.refuse_deletion(
                    request=deletion, actor=request.user, response=refuse_form.cleaned_data["response"]
                )
                messages.success(request, _("Refused. The person has been told."))
            else:
                raise PersonalDataError(_("Please correct the form below."), code="invalid")
        except PersonalDataError as error:
            messages.error(request, error.message)
        else:
            return redirect("accounts_deletion_request_answer", deletion.pk)
    return TemplateResponse(
        request,
        "accounts/admin/deletion_request_answer.html",
        {
            "deletion": deletion,
            "refuse_form": refuse_form,
            "events": PersonalDataEvent.objects.filter(subject_id=deletion.user_id).select_related("actor"),
            "header_title": _("Deletion request"),
        },
    )


urlpatterns = [
    path("accounts/deletion-requests/<int:pk>/answer/", answer, name="accounts_deletion_request_answer"),
]
