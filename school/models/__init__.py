from school.models.assessment import AssessmentItem, Score
from school.models.attendance import Attendance, ClassSession
from school.models.catalogue import (
    EVENING_FROM,
    Bilingual,
    Cohort,
    CohortQuerySet,
    Course,
    CourseSkill,
    Program,
    Skill,
    SkillCategory,
    SkillLevel,
    Weekday,
)
from school.models.enrolment import (
    LUOYANG_DISTRICTS,
    EducationLevel,
    Enrollment,
    EnrollmentEvent,
    EnrollmentQuerySet,
    EnrolmentSettings,
    StudentProfile,
)

__all__ = [
    "LUOYANG_DISTRICTS",
    "AssessmentItem",
    "Attendance",
    "ClassSession",
    "EducationLevel",
    "EnrolmentSettings",
    "Enrollment",
    "EnrollmentEvent",
    "EnrollmentQuerySet",
    "Score",
    "StudentProfile",
    "EVENING_FROM",
    "Bilingual",
    "Cohort",
    "CohortQuerySet",
    "Course",
    "CourseSkill",
    "Program",
    "Skill",
    "SkillCategory",
    "SkillLevel",
    "Weekday",
]
