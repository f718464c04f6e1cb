"""Assessment: instructors' scores, the final score, and the result of a class.

Scores are written all or nothing: every value is checked before any is saved, whether it comes from
the score grid or from an imported file. Score writes and finalising lock the class row, so a result
is never computed from scores that are changing underneath it, and once a class is finished its
scores and results no longer change."""

import csv
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from accounts.phone import normalize_mobile
from school import notifications
from school.errors import ImportRowsError
from school.models import AssessmentItem, Cohort, Enrollment, Score, StudentProfile
from school.services.attendance import attendance_rates
from school.services.enrolment import _change
from school.signals import announce_cohort_change

Status = Enrollment.Status

MAX_IMPORT_BYTES = 2 * 1024 * 1024
# A class has at most a few hundred students; more rows than this is the wrong file.
MAX_IMPORT_ROWS = 2000
ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")

# Headings an instructor may use for the student columns, besides the template's own (translated)
# headings: what people type in a spreadsheet made by hand.
PHONE_HEADING = gettext_lazy("Mobile number")
NAME_HEADING = gettext_lazy("Name")
PHONE_ALIASES = {"phone", "mobile", "mobile number", "手机", "手机号", "手机号码", "电话", "联系电话"}
NAME_ALIASES = {"name", "student", "student name", "姓名", "学员", "学员姓名", "名字"}
# Spreadsheets run cells starting with these as formulas; the template escapes them with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain(number: Decimal | int | None) -> str:
    """A number as people write it: 85, 72.5 (no trailing zeros, never 1E+2)."""
    if number is None:
        return ""
    return format(Decimal(number).normalize(), "f")


def student_name(enrollment: Enrollment) -> str:
    """The student's real name from their profile, else their account name."""
    student = enrollment.student
    try:
        return student.student_profile.real_name or str(student)
    except StudentProfile.DoesNotExist:
        return str(student)


def roster(cohort: Cohort):
    """The class's enrolments with their students and profiles (for names), in enrolment order."""
    return Enrollment.objects.filter(cohort=cohort).select_related("student__student_profile")


# --- Scores -----------------------------------------------------------------------------------------


def _score_problem(value, *, item: AssessmentItem) -> str | None:
    """Why a value cannot be this item's score (a message with %(student)s and %(item)s), or None."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return _("%(student)s, %(item)s: enter a number.")
    if value < 0 or value > item.max_score:
        return _("%(student)s, %(item)s: enter a score from 0 to %(max)s.")
    if value != value.quantize(ONE_DECIMAL):
        return _("%(student)s, %(item)s: use at most one decimal place.")
    return None


def score_problems(*, cohort: Cohort, scores: dict[tuple[int, int], Decimal | None]) -> list[ValidationError]:
    """Everything wrong with these scores for this class, each a ValidationError whose params carry
    `enrollment_id` and `item_id` so a page can show it beside its cell. Empty when all can be saved."""
    if cohort.status in (Cohort.Status.FINISHED, Cohort.Status.CANCELLED):
        return [ValidationError(_("This class has ended: its scores can no longer be changed."), code="ended")]
    items = {item.pk: item for item in AssessmentItem.objects.filter(course_id=cohort.course_id)}
    enrollment_ids = {enrollment_id for enrollment_id, _item_id in scores}
    enrollments = {enrollment.pk: enrollment for enrollment in roster(cohort).filter(pk__in=enrollment_ids)}
    problems = []
    for (enrollment_id, item_id), value in scores.items():
        where = {"enrollment_id": enrollment_id, "item_id": item_id}
        item = items.get(item_id)
        enrollment = enrollments.get(enrollment_id)
        if item is None:
            problems.append(
                ValidationError(_("This is not an assessment item of the course."), code="item", params=where)
            )
            continue
        if enrollment is None:
            problems.append(ValidationError(_("This student is not in the class."), code="student", params=where))
            continue
        params = {**where, "student": student_name(enrollment), "item": item.name, "max": plain(item.max_score)}
        if enrollment.status != Status.ENROLLED:
            problems.append(
                ValidationError(
                    _("%(student)s is not enrolled in this class (%(status)s)."),
                    code="not_enrolled",
                    params={**params, "status": enrollment.get_status_display()},
                )
            )
            continue
        if value is None:
            continue
        message = _score_problem(value, item=item)
        if message:
            problems.append(ValidationError(message, code="score", params=params))
    return problems


@transaction.atomic
def save_scores(*, cohort: Cohort, scores: dict[tuple[int, int], Decimal | None], actor) -> None:
    """Save scores given as {(enrollment id, item id): score}; None clears a score. Every value is
    checked first (a number from 0 to the item's full marks, one decimal place, an item of this
    course, a student enrolled in this class): if any is wrong, ValidationError lists every problem
    and nothing is saved. Unchanged scores keep who entered them and when."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    problems = score_problems(cohort=cohort, scores=scores)
    if problems:
        raise ValidationError(problems)
    existing = {
        (score.enrollment_id, score.item_id): score
        for score in Score.objects.filter(enrollment__cohort=cohort, enrollment_id__in={key[0] for key in scores})
    }
    now = timezone.now()
    new, changed, cleared = [], [], []
    for key, value in scores.items():
        score = existing.get(key)
        if value is None:
            if score is not None:
                cleared.append(score.pk)
        elif score is None:
            new.append(Score(enrollment_id=key[0], item_id=key[1], score=value, entered_by=actor))
        elif score.score != value:
            score.score, score.entered_by, score.entered_at = value, actor, now
            changed.append(score)
    Score.objects.filter(pk__in=cleared).delete()
    Score.objects.bulk_create(new)
    Score.objects.bulk_update(changed, ["score", "entered_by", "entered_at"])


# --- Import -----------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores 13800138000 and 85 as floats.
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise ValidationError(
            _("This Excel file cannot be read. Save it again as .xlsx or CSV."), code="xlsx"
        ) from error
    try:
        rows = []
        for row in workbook.active.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in row])
            if len(rows) > MAX_IMPORT_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # gb18030 reads everything GBK (Excel in China) writes
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # gb18030 decodes almost any bytes: control characters mean it was not text after all.
        if not any(ord(char) < 32 and char not in "\t\r\n" for char in text):
            return text
    raise ValidationError(_("This file is neither CSV nor Excel (.xlsx)."), code="not_csv")


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        # Some spreadsheets write semicolons or tabs.
        delimiter = next((candidate for candidate in ("\t", ";") if candidate in first_line), ",")
    try:
        return [
            [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as error:
        raise ValidationError(
            _("This CSV file cannot be read: %(error)s"), params={"error": error}, code="csv"
        ) from error


def read_table(data: bytes) -> list[list[str]]:
    """The rows of a CSV (UTF-8, with or without BOM, or GBK) or XLSX file as text cells. The format is
    decided by the content, not the file name. ValidationError when it is neither."""
    if not data.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(_("This is an old Excel file (.xls). Save it as .xlsx or CSV."), code="xls")
    return _csv_rows(data)


def _headings(language_aliases: set[str], heading) -> set[str]:
    names = set(language_aliases)
    for code in ("zh-hans", "en"):
        with translation.override(code):
            names.add(str(heading).casefold())
    return names


def _unquote(text: str) -> str:
    # Undo the template's protection against formulas ('=name).
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_STARTS else text


@dataclass
class _Columns:
    phone: int | None = None
    name: int | None = None
    items: dict[int, AssessmentItem] = field(default_factory=dict)


def _read_header(header: list[str], rows: list[list[str]], items: list[AssessmentItem]):
    """The meaning of each column, and the problems with the heading row (row 1)."""
    columns, errors = _Columns(), []
    phone_headings = _headings(PHONE_ALIASES, PHONE_HEADING)
    name_headings = _headings(NAME_ALIASES, NAME_HEADING)
    items_by_name = {item.name.strip().casefold(): item for item in items}
    seen = set()
    for index, heading in enumerate(header):
        key = heading.strip().casefold()
        if not key:
            if any(index < len(row) and row[index] for row in rows):
                errors.append((1, _("Column %(number)s has no heading.") % {"number": index + 1}))
            continue
        if key in seen:
            errors.append((1, _("The column “%(column)s” appears twice.") % {"column": heading}))
            continue
        seen.add(key)
        if key in phone_headings:
            columns.phone = index
        elif key in name_headings:
            columns.name = index
        elif key in items_by_name:
            columns.items[index] = items_by_name[key]
        else:
            errors.append(
                (
                    1,
                    _(
                        "Unknown column “%(column)s”: it is not the mobile number, the name or an assessment item "
                        "of this course."
                    )
                    % {"column": heading},
                )
            )
    if columns.phone is None and columns.name is None:
        errors.append((1, _("Add a column with the students' mobile numbers or names.")))
    if not columns.items and not errors:
        errors.append((1, _("Add a column for each assessment item, headed by its name.")))
    return columns, errors


class _Students:
    """The class's students, found by mobile number or by name."""

    def __init__(self, cohort: Cohort):
        self.by_phone = {}
        self.by_name = defaultdict(set)
        self.enrollments = {}
        for enrollment in roster(cohort).order_by():
            self.enrollments[enrollment.pk] = enrollment
            self.by_phone[enrollment.student.phone] = enrollment.pk
            for name in {student_name(enrollment), enrollment.student.display_name}:
                if name:
                    self.by_name[name.strip().casefold()].add(enrollment.pk)

    def find(self, *, phone: str, name: str) -> tuple[Enrollment | None, str | None]:
        if phone:
            enrollment_id = self.by_phone.get(normalize_mobile(phone))
            if enrollment_id is None:
                return None, _("No student with mobile number %(phone)s is in this class.") % {"phone": phone}
            return self.enrollments[enrollment_id], None
        if name:
            found = self.by_name.get(name.casefold(), set())
            if not found:
                return None, _("No student called %(name)s is in this class.") % {"name": name}
            if len(found) > 1:
                return None, _(
                    "More than one student in this class is called %(name)s: give the mobile number instead."
                ) % {"name": name}
            return self.enrollments[found.pop()], None
        return None, _("Give the student's mobile number or name.")


def _parse_score(text: str, *, item: AssessmentItem) -> tuple[Decimal | None, str | None]:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        return None, _("%(item)s: “%(value)s” is not a number.") % {"item": item.name, "value": text}
    if value < 0 or value > item.max_score:
        return None, _("%(item)s: %(value)s is not between 0 and %(max)s.") % {
            "item": item.name,
            "value": text,
            "max": plain(item.max_score),
        }
    if value != value.quantize(ONE_DECIMAL):
        return None, _("%(item)s: use at most one decimal place.") % {"item": item.name}
    return value, None


def import_scores(*, cohort: Cohort, uploaded_file, actor) -> int:
    """Save the scores in a CSV or XLSX file: a column with each student's mobile number or name, then
    one column per assessment item headed by its name; empty cells are left as they are. Every row is
    checked first: if any is wrong, ImportRowsError lists (row number, message) for each problem and
    nothing is saved. ValidationError when the file cannot be read at all. Returns the number of
    scores saved."""
    data = uploaded_file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is larger than 2 MB."), code="too_big")
    rows = read_table(data)
    # Trailing empty rows are common in spreadsheets; they are not students.
    while rows and not any(rows[-1]):
        rows.pop()
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise ValidationError(
            _("The file has more than %(count)s rows: is it the right file?"), params={"count": MAX_IMPORT_ROWS}
        )
    if len(rows) < 2:
        raise ValidationError(_("The file has no rows of scores under its heading row."), code="no_rows")
    items = list(AssessmentItem.objects.filter(course_id=cohort.course_id))
    width = max(len(row) for row in rows)
    header = rows[0] + [""] * (width - len(rows[0]))
    columns, errors = _read_header(header, rows[1:], items)
    if errors:
        raise ImportRowsError(errors)

    students = _Students(cohort)
    scores: dict[tuple[int, int], Decimal] = {}
    first_row_of: dict[int, int] = {}
    for row_number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        row = row + [""] * (width - len(row))
        phone = row[columns.phone] if columns.phone is not None else ""
        name = _unquote(row[columns.name]) if columns.name is not None else ""
        enrollment, problem = students.find(phone=phone, name=name)
        if problem:
            errors.append((row_number, problem))
        elif enrollment.status != Status.ENROLLED:
            errors.append(
                (
                    row_number,
                    _("%(student)s is not enrolled in this class (%(status)s).")
                    % {"student": student_name(enrollment), "status": enrollment.get_status_display()},
                )
            )
            enrollment = None
        elif enrollment.pk in first_row_of:
            errors.append(
                (
                    row_number,
                    _("%(student)s is already in row %(row)s.")
                    % {"student": student_name(enrollment), "row": first_row_of[enrollment.pk]},
                )
            )
            enrollment = None
        else:
            first_row_of[enrollment.pk] = row_number
        for index, item in columns.items.items():
            text = row[index].strip()
            if not text:
                continue
            value, problem = _parse_score(text, item=item)
            if problem:
                errors.append((row_number, problem))
            elif enrollment is not None:
                scores[(enrollment.pk, item.pk)] = value
    if errors:
        raise ImportRowsError(errors)
    save_scores(cohort=cohort, scores=scores, actor=actor)
    return len(scores)


def score_template_rows(*, cohort: Cohort) -> list[list[str]]:
    """The rows of the import template: a heading row, then each enrolled student with any scores
    already entered, in the active language."""
    items = list(AssessmentItem.objects.filter(course_id=cohort.course_id))
    header = [str(PHONE_HEADING), str(NAME_HEADING), *(item.name for item in items)]
    rows = [header]
    enrollments = roster(cohort).filter(status=Status.ENROLLED).prefetch_related("scores")
    for enrollment in enrollments:
        given = {score.item_id: score.score for score in enrollment.scores.all()}
        name = student_name(enrollment)
        if name.startswith(FORMULA_STARTS):
            name = "'" + name
        rows.append([enrollment.student.phone, name, *(plain(given.get(item.pk)) for item in items)])
    return rows


# --- Results ----------------------------------------------------------------------------------------


def _weighted(items: list[AssessmentItem], given: dict[int, Decimal]) -> Decimal | None:
    if not items or any(item.pk not in given for item in items):
        return None
    total_weight = sum(item.weight for item in items)
    points = sum(given[item.pk] / item.max_score * item.weight for item in items)
    return (points / total_weight * 100).quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP)


def final_score(*, enrollment: Enrollment) -> Decimal | None:
    """The weighted mean of the item scores as percentages of full marks (0 to 100, two decimals);
    None while any item has no score (or the course has no items)."""
    items = list(AssessmentItem.objects.filter(course_id=enrollment.cohort.course_id))
    given = dict(Score.objects.filter(enrollment=enrollment).values_list("item_id", "score"))
    return _weighted(items, given)


@dataclass
class Outcome:
    """What finalising would decide for one student, and why."""

    enrollment: Enrollment
    attendance_rate: Decimal | None
    final_score: Decimal | None
    missing: list[str]
    completed: bool

    @property
    def name(self) -> str:
        return student_name(self.enrollment)

    def reasons(self) -> list[str]:
        """Why the student has not completed, in the active language (empty when completed)."""
        course = self.enrollment.cohort.course
        reasons = []
        if self.attendance_rate is None:
            if course.min_attendance_percent:
                reasons.append(_("No attendance has been recorded."))
        elif self.attendance_rate < course.min_attendance_percent:
            reasons.append(
                _("Attendance %(rate)s%% is below the required %(required)s%%")
                % {"rate": plain(self.attendance_rate), "required": course.min_attendance_percent}
            )
        if self.missing:
            reasons.append(_("Scores missing: %(items)s") % {"items": "、".join(self.missing)})
        elif self.final_score is not None and self.final_score < course.pass_mark:
            reasons.append(
                _("Final score %(score)s is below the pass mark %(pass_mark)s")
                % {"score": plain(self.final_score), "pass_mark": course.pass_mark}
            )
        return reasons


def cohort_outcomes(*, cohort: Cohort) -> list[Outcome]:
    """For every enrolled student: attendance, final score, missing items and whether they meet the
    course's completion rule. Saves nothing: the preview before finalising."""
    course = cohort.course
    items = list(AssessmentItem.objects.filter(course_id=course.pk))
    enrollments = list(
        roster(cohort).filter(status=Status.ENROLLED).select_related("cohort__course").prefetch_related("scores")
    )
    # attendance_rates is attendance_rate(enrollment=…) for many students in a fixed number of queries.
    rates = attendance_rates(enrollments=enrollments)
    outcomes = []
    for enrollment in enrollments:
        given = {score.item_id: score.score for score in enrollment.scores.all()}
        rate = rates.get(enrollment.pk)
        rate = None if rate is None else Decimal(rate).quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP)
        score = _weighted(items, given)
        missing = [item.name for item in items if item.pk not in given]
        attended = rate >= course.min_attendance_percent if rate is not None else not course.min_attendance_percent
        completed = attended and not missing and score is not None and score >= course.pass_mark
        outcomes.append(Outcome(enrollment, rate, score, missing, completed))
    return outcomes


def _summary(cohort: Cohort) -> dict[str, int]:
    statuses = list(Enrollment.objects.filter(cohort=cohort).values_list("status", flat=True))
    return {"completed": statuses.count(Status.COMPLETED), "failed": statuses.count(Status.FAILED)}


@transaction.atomic
def finalise_cohort(*, cohort: Cohort, actor, force: bool = False) -> dict[str, int]:
    """Decide every enrolled student's result by the course's rule (attendance at least the minimum and
    a final score at least the pass mark): completed, or not completed with the reasons. Records each
    change with its event, tells each student in their language, and finishes the class.

    Refuses (ValidationError) while any score is missing, unless `force`, which marks those students
    not completed for the missing scores. Finalising a finished class again changes nothing and
    returns the same counts: {"completed": n, "failed": m}."""
    cohort = Cohort.objects.select_for_update().select_related("course").get(pk=cohort.pk)
    if cohort.status == Cohort.Status.FINISHED:
        return _summary(cohort)
    if cohort.status == Cohort.Status.CANCELLED:
        raise ValidationError(_("This class was cancelled: it has no results."), code="cancelled")
    if not AssessmentItem.objects.filter(course_id=cohort.course_id).exists():
        raise ValidationError(
            _("This course has no assessment items yet: staff add them in the back office."), code="no_items"
        )
    outcomes = cohort_outcomes(cohort=cohort)
    incomplete = [outcome for outcome in outcomes if outcome.missing]
    if incomplete and not force:
        raise ValidationError(
            [
                ValidationError(
                    _("Scores missing for %(student)s: %(items)s"),
                    code="missing",
                    params={"student": outcome.name, "items": "、".join(outcome.missing)},
                )
                for outcome in incomplete
            ]
        )
    for outcome in outcomes:
        enrollment = outcome.enrollment
        # Stored in the student's language: the same words their message and their record show.
        with translation.override(enrollment.student.language):
            reasons = outcome.reasons()
        _change(
            enrollment,
            Status.COMPLETED if outcome.completed else Status.FAILED,
            actor=actor,
            note="finalised",
            final_score=outcome.final_score,
            attendance_rate=outcome.attendance_rate,
            result_reasons=reasons,
        )
        notifications.tell(enrollment, reason="; ".join(reasons))
    # Completed and failed enrolments hold no seat (Cohort.seats_taken counts pending and enrolled).
    holding = Enrollment.objects.filter(cohort=cohort).holding_seats().count()
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.FINISHED, seats_taken=holding)
    announce_cohort_change(cohort.pk)
    return _summary(cohort)
