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

__all__ = [
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
