"""A person's rights over their data (PIPL arts. 45 and 47): a copy of everything the school holds about
them, and erasure on request. Each app registers the section it holds (from its AppConfig.ready(), as the
dashboard panels do), so accounts knows no other app and the export and the erasure are one call here:

- `collect_personal_data(user)` is the one place that gathers it all, as a JSON-able dict;
- `export_personal_data(...)` is that plus an audit row; `readable(data)` is it laid out for the page;
- `request_deletion`, `complete_deletion`, `refuse_deletion` are the request's life, each audited.

What erasure keeps, and why (the sections' `erase` functions do it):
- issued certificates keep the holder's name and the certificate's own facts: employers must still be able
  to verify them (the law on vocational certificates), and the name is what verification shows;
- the account row stays (enrolments, certificates and placements point at it) but holds nothing personal:
  inactive, no password, a placeholder instead of the mobile number, no e-mail, no name;
- enrolments, placements, follow-ups and outcome rows stay, tied to that empty account, as anonymous
  statistics: the outcome measures the school reports (and has reported) are counted from them;
- everything else (profiles, ID card, emergency contact, attendance, scores, messages, job profile,
  consents, applications that led nowhere, alerts, invitations, sign-in records, uploaded files) is deleted.
"""

import datetime
import decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from rest_framework.authtoken.models import Token

from accounts.models import DeletionRequest, Notification, PersonalDataEvent
from accounts.roles import is_school_staff

User = get_user_model()
Action = PersonalDataEvent.Action


class PersonalDataError(ValidationError):
    """A request about personal data that cannot be done; the message is for the person."""


@dataclass(frozen=True)
class Group:
    """One kind of record in a section: `key` in the JSON, `title` on the page; labels and choices come from
    `model`'s fields, `labels` names the rest."""

    key: str
    title: Promise | str
    model: type[models.Model] | None = None
    labels: dict[str, Promise | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    name: str
    title: Promise | str
    groups: tuple[Group, ...]
    # The person's records: {group key: [row, …]}, each row a dict of JSON values.
    export: Callable[[User], dict[str, list[dict]]]
    # Erase or anonymise the person's records (inside complete_deletion's transaction).
    erase: Callable[..., None]
    order: int = 100


_sections: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Add an app's records to every export and erasure; registering a name again replaces it."""
    _sections[section.name] = section


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.name))


# --- Rows ------------------------------------------------------------------------------------------


def json_value(value):
    """A database value as JSON: times in the school's time zone, money and scores as exact strings."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile: its name, not its bytes
        return value.name or ""
    return value


def row(obj: models.Model, fields: Iterable[str], **extra) -> dict:
    """The named fields of `obj` (and `extra` values) as a JSON-able dict."""
    data = {name: json_value(getattr(obj, name)) for name in fields}
    data.update({name: json_value(value) for name, value in extra.items()})
    return data


# --- Export ----------------------------------------------------------------------------------------


def collect_personal_data(user: User) -> dict:
    """Everything the school holds about `user`, by section and kind of record: JSON-able, nothing about
    anyone else (names of staff or other students are left out; merchants' names are businesses)."""
    data = {"exported_at": json_value(timezone.now()), "user_id": user.pk}
    for section in sections():
        data[section.name] = section.export(user)
    return data


_ACTIONS = {"page": Action.VIEWED, "download": Action.DOWNLOADED, "api": Action.API}


def export_personal_data(*, user: User, actor: User, channel: str) -> dict:
    """`collect_personal_data(user)` for `actor` (the person, or staff), logged with the channel
    ("page", "download" or "api")."""
    if actor.pk != user.pk and not is_school_staff(actor):
        raise PersonalDataError(_("You may only see your own data."), code="forbidden")
    data = collect_personal_data(user)
    PersonalDataEvent.objects.create(subject=user, actor=actor, action=_ACTIONS[channel])
    return data


def readable(data: dict) -> list[dict]:
    """The export laid out for a page: sections → groups → rows of (label, shown value)."""
    laid_out = []
    for section in sections():
        groups = []
        for group in section.groups:
            rows = data.get(section.name, {}).get(group.key, [])
            groups.append({"key": group.key, "title": group.title, "rows": [_readable_row(group, r) for r in rows]})
        laid_out.append({"name": section.name, "title": section.title, "groups": groups})
    return laid_out


def _readable_row(group: Group, data: dict) -> list[tuple[str, str]]:
    shown = []
    for name, value in data.items():
        model_field = _model_field(group.model, name)
        label = group.labels.get(name) or (capfirst(model_field.verbose_name) if model_field else name)
        if model_field is not None and model_field.choices and value not in (None, ""):
            value = dict(model_field.flatchoices).get(value, value)
        shown.append((str(label), _shown(value)))
    return shown


def _model_field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 (a computed value, not a field)
        return None


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and len(value) >= 19 and value[10] == "T":  # an ISO time: minutes are enough
        return value[:16].replace("T", " ")
    return str(value)


# --- Deletion --------------------------------------------------------------------------------------


def open_deletion_request(user: User) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(user=user, status=DeletionRequest.Status.REQUESTED).first()


def request_deletion(*, user: User, reason: str = "") -> DeletionRequest:
    """The person asks for their data to be erased; staff answer it in the back office (within 15 working
    days, PIPL art. 50). One open request at a time."""
    if user.is_staff:
        raise PersonalDataError(
            _("Staff accounts are closed by an administrator, not through this form."), code="staff"
        )
    try:
        with transaction.atomic():
            request = DeletionRequest.objects.create(user=user, reason=reason.strip())
            PersonalDataEvent.objects.create(subject=user, actor=user, action=Action.DELETION_REQUESTED)
    except IntegrityError:
        raise PersonalDataError(_("You have already asked; staff will answer soon."), code="duplicate") from None
    return request


def _handled(request: DeletionRequest, *, actor: User) -> DeletionRequest:
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if not is_school_staff(actor):
        raise PersonalDataError(_("Only school staff can answer a deletion request."), code="forbidden")
    if request.status != DeletionRequest.Status.REQUESTED:
        raise PersonalDataError(_("This request has already been answered."), code="answered")
    return request


@transaction.atomic
def complete_deletion(*, request: DeletionRequest, actor: User) -> DeletionRequest:
    """Erase the person's data, all of it or (on any error) none of it: every section's erasure, then
    the account itself. Uploaded files go from storage once the transaction commits."""
    request = _handled(request, actor=actor)
    user = User.objects.select_for_update().get(pk=request.user_id)
    if user.is_staff or user.is_superuser:
        raise PersonalDataError(_("Staff accounts are closed by an administrator."), code="staff")
    for section in reversed(sections()):  # the apps that depend on others first
        section.erase(user=user, actor=actor)
    request.status = DeletionRequest.Status.COMPLETED
    request.completed_by, request.completed_at, request.reason = actor, timezone.now(), ""
    request.save(update_fields=["status", "completed_by", "completed_at", "reason"])
    PersonalDataEvent.objects.create(subject=user, actor=actor, action=Action.DELETION_COMPLETED)
    return request


@transaction.atomic
def refuse_deletion(*, request: DeletionRequest, actor: User, response: str) -> DeletionRequest:
    """Staff refuse, saying why (the person is told)."""
    from accounts.notifications import notify

    request = _handled(request, actor=actor)
    if not response.strip():
        raise PersonalDataError(_("Say why the request is refused."), code="no_reason")
    request.status = DeletionRequest.Status.REFUSED
    request.completed_by, request.completed_at, request.response = actor, timezone.now(), response.strip()
    request.save(update_fields=["status", "completed_by", "completed_at", "response"])
    PersonalDataEvent.objects.create(
        subject_id=request.user_id, actor=actor, action=Action.DELETION_REFUSED, note=response.strip()[:300]
    )
    notify(
        recipient=request.user,
        subject=gettext_lazy("Your request to delete your data"),
        body=gettext_lazy("The school cannot delete your data: %(reason)s"),
        reason=request.response,
    )
    return request


def delete_files_on_commit(files: Iterable) -> None:
    """Delete stored files (FieldFiles) once the erasure commits: a rolled-back erasure keeps them."""
    targets = [(file.storage, file.name) for file in files if file]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in targets])


def placeholder_phone(user: User) -> str:
    # Unique (the column is), 11 characters, and never a mobile number: nobody can sign in with it.
    return f"x{user.pk:010d}"[-11:]


# --- The accounts section --------------------------------------------------------------------------


def _export_account(user: User) -> dict[str, list[dict]]:
    return {
        "account": [
            row(
                user,
                ["display_name", "phone", "email", "language", "date_joined", "last_login"],
                roles=sorted(user.roles),
            )
        ],
        "notifications": [
            row(n, ["subject", "body", "link", "created_at", "read_at", "emailed_at"])
            for n in Notification.objects.filter(recipient=user)
        ],
        "deletion_requests": [
            row(r, ["status", "reason", "requested_at", "completed_at", "response"])
            for r in DeletionRequest.objects.filter(user=user)
        ],
        "personal_data_log": [row(e, ["action", "created_at"]) for e in PersonalDataEvent.objects.filter(subject=user)],
        **_export_sign_ins(user),
    }


def _sign_in_keys(user: User) -> set[str]:
    """The account names sign-in records are kept under: the phone or e-mail as typed, normalised
    (accounts.lockout.account_key), and the phone for successful sign-ins (axes keeps get_username())."""
    return {key for key in (user.phone, user.email, user.email.lower()) if key}


def _export_sign_ins(user: User) -> dict[str, list[dict]]:
    """Each sign-in and each failed attempt (django-axes keeps them SIGN_IN_LOG_DAYS), newest first, and
    the failures now counting towards a lockout."""
    keys = _sign_in_keys(user)

    def sign_in(record, *, failed: bool) -> dict:
        return row(
            record,
            ["ip_address", "user_agent"],
            time=record.attempt_time,
            failed=failed,
            path=record.path_info,
            signed_out_at=getattr(record, "logout_time", None),
        )

    records = [(r, False) for r in AccessLog.objects.filter(username__in=keys)]
    records += [(r, True) for r in AccessFailureLog.objects.filter(username__in=keys)]
    records.sort(key=lambda pair: pair[0].attempt_time, reverse=True)
    return {
        "sign_ins": [sign_in(record, failed=failed) for record, failed in records],
        "sign_in_lockout_counts": [
            row(a, ["ip_address", "user_agent", "failures_since_start"], last_attempt=a.attempt_time)
            for a in AccessAttempt.objects.filter(username__in=keys)
        ],
    }


def _erase_account(*, user: User, actor: User) -> None:
    Notification.objects.filter(recipient=user).delete()
    _scrub_others_messages([user.display_name, user.phone, user.email])
    # Wagtail's history keeps each object's label: the person's name where staff edited the account.
    ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
        label=str(user.pk)
    )
    Token.objects.filter(user=user).delete()
    for records in (AccessAttempt, AccessFailureLog, AccessLog):
        records.objects.filter(username__in=_sign_in_keys(user)).delete()
    profile = UserProfile.objects.filter(user=user).first()
    if profile is not None:
        delete_files_on_commit([profile.avatar])
        profile.delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.set_unusable_password()
    user.phone, user.email, user.display_name = placeholder_phone(user), "", ""
    user.is_active, user.last_login, user.welcomed_at = False, None, None
    user.language = settings.LANGUAGE_CODE
    user.save()


def _scrub_others_messages(texts: list[str]) -> None:
    """Other people's messages that name the person (a merchant told "王小丽 applied") keep their sense
    without the name, number or address."""
    for text in {text for text in texts if len(text) >= 2}:
        Notification.objects.filter(Q(subject__contains=text) | Q(body__contains=text)).update(
            subject=Replace("subject", Value(text), Value("***")), body=Replace("body", Value(text), Value("***"))
        )


_SIGN_IN_LABELS = {
    "time": gettext_lazy("Time"),
    "failed": gettext_lazy("Failed"),
    "ip_address": gettext_lazy("Address"),
    "user_agent": gettext_lazy("Browser"),
    "path": gettext_lazy("Sign-in page"),
    "signed_out_at": gettext_lazy("Signed out"),
    "last_attempt": gettext_lazy("Last attempt"),
}

ACCOUNT_SECTION = Section(
    name="accounts",
    title=gettext_lazy("Account"),
    order=0,
    groups=(
        Group("account", gettext_lazy("Account"), User, {"roles": gettext_lazy("Roles")}),
        Group("notifications", gettext_lazy("Messages"), Notification),
        Group("deletion_requests", gettext_lazy("Deletion requests"), DeletionRequest),
        Group("personal_data_log", gettext_lazy("Who saw or asked for your data"), PersonalDataEvent),
        Group("sign_ins", gettext_lazy("Sign-ins and failed attempts"), labels=_SIGN_IN_LABELS),
        Group(
            "sign_in_lockout_counts",
            gettext_lazy("Failed sign-ins counting towards a lockout"),
            labels={**_SIGN_IN_LABELS, "failures_since_start": gettext_lazy("Failed sign-ins")},
        ),
    ),
    export=_export_account,
    erase=_erase_account,
)
