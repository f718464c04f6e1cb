"""The certificates back office: templates (a snippet with a live PDF preview), the certificates issued
(read-only, with revoke and reissue through the services) and the audit log. Registered in
school/wagtail_hooks.py under one "Certificates" menu."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

import django_filters

from school.errors import CertificateError
from school.models import Certificate, CertificateEvent, CertificateTemplate, Course, Program
from school.models.certificates import normalise_code
from school.permissions import is_staff
from school.services import certificates as service
from school.viewsets import SchoolIndexView, label


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Certificates and their log change only through the services (issue, revoke, reissue): the back
    office may read them, never add, edit or delete a row — not even a superuser."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([action for action in actions if action == "view"])


def may_change_certificates(user) -> bool:
    return is_staff(user) and user.has_perm("school.change_certificate")


# --- Templates --------------------------------------------------------------------------------------


class CertificateTemplateForm(WagtailAdminModelForm):
    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("is_default"):
            # The database allows one default (a partial unique index); say which one it is instead.
            other = CertificateTemplate.objects.filter(is_default=True).exclude(pk=self.instance.pk).first()
            if other is not None:
                self.add_error(
                    "is_default",
                    forms.ValidationError(
                        _("“%(name)s” is the default template now: untick “default” there first."),
                        params={"name": other.name},
                        code="one_default",
                    ),
                )
        return cleaned_data


class CertificateTemplateViewSet(SnippetViewSet):
    model = CertificateTemplate
    icon = "form"
    url_prefix = "school/certificate-templates"
    admin_url_namespace = "school_certificate_templates"
    list_display = ["name", "title", "orientation", "typeface", "validity_months", "is_default"]
    search_fields = ["name", "title"]
    search_backend_name = None
    ordering = ["name"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("name"),
                    FieldPanel("title"),
                    FieldPanel("body"),
                    FieldPanel("signatory"),
                ],
                heading=gettext_lazy("Wording"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("orientation"), FieldPanel("typeface")]),
                    FieldRowPanel(
                        [
                            FieldPanel("accent_colour", widget=forms.TextInput(attrs={"type": "color"})),
                            FieldPanel("text_colour", widget=forms.TextInput(attrs={"type": "color"})),
                        ]
                    ),
                    FieldPanel("title_font"),
                    FieldPanel("background"),
                    FieldRowPanel([FieldPanel("seal"), FieldPanel("signature")]),
                ],
                heading=gettext_lazy("Look"),
            ),
            MultiFieldPanel(
                [FieldPanel("validity_months"), FieldPanel("is_default")],
                heading=gettext_lazy("Validity and use"),
            ),
        ],
        base_form_class=CertificateTemplateForm,
    )


# --- Certificates -----------------------------------------------------------------------------------


class CertificateFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("status"), choices=Certificate.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    program = django_filters.ModelChoiceFilter(
        label=gettext_lazy("program"), field_name="enrollment__cohort__course__program", queryset=Program.objects.all()
    )
    course = django_filters.ModelChoiceFilter(
        label=gettext_lazy("course"), field_name="enrollment__cohort__course", queryset=Course.objects.all()
    )
    issued_on = django_filters.DateFromToRangeFilter(label=gettext_lazy("issued on"), widget=DateRangePickerWidget)

    class Meta:
        model = Certificate
        fields = ["status", "program", "course", "issued_on"]


class CertificateIndexView(SchoolIndexView):
    def search_queryset(self, queryset):
        # A code is typed as printed (with dashes, perhaps O for 0): match it as stored.
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        condition = Q(number__icontains=query) | Q(holder_name__icontains=query)
        code = normalise_code(query)
        if code:
            condition |= Q(code__startswith=code)
        return queryset.filter(condition)


class CertificateInspectView(InspectView):
    template_name = "school/admin/certificate_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Certificate.objects.select_related("issued_by", "superseded_by", "enrollment__cohort"), pk=self.pk
        )

    def get_page_subtitle(self):
        return str(self.object)

    def get_code_display_value(self):
        return self.object.display_code

    def get_enrollment_display_value(self):
        return self.object.enrollment.cohort.code

    @cached_property
    def header_more_buttons(self):
        buttons = certificate_buttons(self.object, self.request.user)
        return [
            Button(label, url=url, icon_name=icon, priority=index) for index, (label, url, icon) in enumerate(buttons)
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = certificate_buttons(self.object, self.request.user)
        context["events"] = self.object.events.select_related("actor")
        context["supersedes"] = Certificate.objects.filter(superseded_by=self.object).first()
        return context


def certificate_buttons(certificate: Certificate, user) -> list[tuple[str, str, str]]:
    """(label, url, icon) of what staff can do with a certificate from the back office."""
    buttons = []
    if certificate.status != Certificate.Status.PENDING:
        buttons.append((_("Verification page"), certificate.get_verify_url(), "view"))
        buttons.append((_("PDF"), reverse("certificates:pdf", args=[certificate.code]), "download"))
    if may_change_certificates(user):
        if certificate.status == Certificate.Status.VALID:
            buttons.append((_("Revoke"), reverse("school_certificates:revoke", args=[certificate.pk]), "cross"))
        if certificate.status in (Certificate.Status.VALID, Certificate.Status.REVOKED):
            buttons.append((_("Reissue"), reverse("school_certificates:reissue", args=[certificate.pk]), "resubmit"))
    return buttons


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (shown on the verification page)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReissueForm(forms.Form):
    holder_name = forms.CharField(
        label=gettext_lazy("Corrected holder name"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("Leave empty to keep the name as it is."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (kept in the audit log)"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


def _certificate_action(request, pk: int, *, form_class, heading: str, button: str, act, danger=False):
    if not may_change_certificates(request.user):
        raise PermissionDenied
    certificate = get_object_or_404(Certificate.objects.select_related("enrollment__cohort"), pk=pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result, message = act(certificate, form.cleaned_data)
        except CertificateError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
            return redirect("school_certificates:inspect", result.pk)
    return TemplateResponse(
        request,
        "school/admin/certificate_action.html",
        {"certificate": certificate, "form": form, "heading": heading, "button": button, "danger": danger},
    )


def revoke(request, pk: int):
    def act(certificate, data):
        revoked = service.revoke_certificate(certificate=certificate, actor=request.user, reason=data["reason"])
        return revoked, _("Certificate %(number)s revoked.") % {"number": revoked.number}

    return _certificate_action(
        request, pk, form_class=RevokeForm, heading=_("Revoke certificate"), button=_("Revoke"), act=act, danger=True
    )


def reissue(request, pk: int):
    def act(certificate, data):
        new = service.reissue_certificate(
            certificate=certificate, actor=request.user, holder_name=data["holder_name"], reason=data["reason"]
        )
        return new, _("Certificate %(new)s issued; %(old)s is superseded.") % {
            "new": new.number,
            "old": certificate.number,
        }

    return _certificate_action(
        request, pk, form_class=ReissueForm, heading=_("Reissue certificate"), button=_("Reissue"), act=act
    )


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "success"
    url_prefix = "school/certificates"
    name = "school_certificates"
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["number", "holder_name", "code"]  # see CertificateIndexView.search_queryset
    filterset_class = CertificateFilterSet
    list_display = ["number", "holder_name", "course_title", "status", "issued_on", "expires_on"]
    list_export = [
        "number",
        "holder_name",
        "course_title",
        "hours",
        "get_status_display",
        "issued_on",
        "expires_on",
        "display_code",
    ]
    export_headings = {
        "get_status_display": label(Certificate, "status"),
        "display_code": label(Certificate, "code"),
    }
    export_filename = "certificates"
    ordering = ["-issued_on", "-number"]
    inspect_view_fields = [
        "number",
        "code",
        "status",
        "holder_name",
        "course_title",
        "hours",
        "start_date",
        "end_date",
        "final_score",
        "enrollment",
        "issued_on",
        "expires_on",
        "issued_by",
        "issued_at",
        "revoked_at",
        "revoked_reason",
        "superseded_by",
        "sha256",
    ]
    form_fields = ["revoked_reason"]  # never used to edit: see ReadOnlyPermissionPolicy

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(queryset=Certificate.objects.issued(), **kwargs)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("revoke/<int:pk>/", revoke, name="revoke"),
            path("reissue/<int:pk>/", reissue, name="reissue"),
        ]


# --- The audit log ----------------------------------------------------------------------------------


class CertificateEventFilterSet(WagtailFilterSet):
    action = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("action"), choices=CertificateEvent.Action.choices, widget=forms.CheckboxSelectMultiple
    )
    created_at = django_filters.DateFromToRangeFilter(label=gettext_lazy("when"), widget=DateRangePickerWidget)

    class Meta:
        model = CertificateEvent
        fields = ["action", "created_at"]


class CertificateEventViewSet(ModelViewSet):
    model = CertificateEvent
    icon = "history"
    url_prefix = "school/certificate-log"
    name = "school_certificate_events"
    menu_label = gettext_lazy("Audit log")
    index_view_class = SchoolIndexView
    search_backend_name = None
    search_fields = ["certificate__number", "certificate__holder_name", "note"]
    filterset_class = CertificateEventFilterSet
    list_display = [
        "created_at",
        TitleColumn(
            "certificate",
            label=label(CertificateEvent, "certificate"),
            accessor=lambda event: event.certificate.number,
            get_url=lambda event: reverse("school_certificates:inspect", args=[event.certificate_id]),
        ),
        Column(
            "holder",
            label=label(Certificate, "holder_name"),
            accessor=lambda event: event.certificate.holder_name,
        ),
        "action",
        Column("actor", label=label(CertificateEvent, "actor"), accessor=lambda event: event.actor or "—"),
        "note",
    ]
    list_export = ["created_at", "certificate.number", "certificate.holder_name", "get_action_display", "actor", "note"]
    export_headings = {
        "certificate.number": label(Certificate, "number"),
        "certificate.holder_name": label(Certificate, "holder_name"),
        "get_action_display": label(CertificateEvent, "action"),
    }
    export_filename = "certificate-log"
    ordering = ["-created_at", "-pk"]
    form_fields = ["note"]  # never used to edit: see ReadOnlyPermissionPolicy

    def get_index_view_kwargs(self, **kwargs):
        queryset = CertificateEvent.objects.select_related("certificate", "actor")
        return super().get_index_view_kwargs(queryset=queryset, **kwargs)


class CertificatesViewSetGroup(SnippetViewSetGroup):
    """One menu for certificates; a SnippetViewSetGroup so the template snippet has its menu item here
    (and no separate "Snippets" entry appears)."""

    menu_label = gettext_lazy("Certificates")
    menu_icon = "success"
    menu_order = 215
    items = (CertificateViewSet, CertificateTemplateViewSet, CertificateEventViewSet)


def register_permission_policies() -> None:
    from wagtail.permissions import register_permission_policy

    register_permission_policy(Certificate, ReadOnlyPermissionPolicy(Certificate))
    register_permission_policy(CertificateEvent, ReadOnlyPermissionPolicy(CertificateEvent))
