"""schema.org descriptions of our pages, for search engines (JSON-LD)."""

from school.models import Cohort, Weekday

SCHEMA_DAYS = {day.value: f"https://schema.org/{day.name.title()}" for day in Weekday}


def course_json_ld(*, course, page, request, school_name: str) -> dict:
    """A schema.org Course with a CourseInstance for every class still open to enrolment."""
    url = request.build_absolute_uri(page.url)
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "name": course.title,
        "description": page.intro or course.summary or course.title,
        "courseCode": course.code,
        "url": url,
        "inLanguage": "zh-CN",
        "timeRequired": f"PT{course.hours}H",
        "provider": {
            "@type": "EducationalOrganization",
            "name": school_name,
            "sameAs": request.build_absolute_uri("/"),
        },
        "offers": {
            "@type": "Offer",
            "category": "Paid" if course.fee else "Free",
            "price": f"{course.fee:.2f}",
            "priceCurrency": "CNY",
            "url": url,
        },
    }
    if course.title_en:
        data["alternateName"] = course.title_en
    skills = [course_skill.skill.name for course_skill in course.course_skills.all()]
    if skills:
        data["teaches"] = skills
    instances = [_course_instance(cohort) for cohort in course.upcoming_cohorts if cohort.status == Cohort.Status.OPEN]
    if instances:
        data["hasCourseInstance"] = instances
    return data


def _course_instance(cohort) -> dict:
    online = cohort.delivery == Cohort.Delivery.ONLINE
    instance = {
        "@type": "CourseInstance",
        "name": cohort.code,
        "courseMode": "online" if online else "onsite",
        "startDate": cohort.start_date.isoformat(),
        "endDate": cohort.end_date.isoformat(),
        "courseSchedule": {
            "@type": "Schedule",
            "repeatFrequency": "P1W",
            "byDay": [SCHEMA_DAYS[day] for day in cohort.weekdays],
            "startTime": cohort.class_starts.strftime("%H:%M"),
            "endTime": cohort.class_ends.strftime("%H:%M"),
            "startDate": cohort.start_date.isoformat(),
            "endDate": cohort.end_date.isoformat(),
        },
        "maximumAttendeeCapacity": cohort.capacity,
        "remainingAttendeeCapacity": cohort.seats_left,
    }
    if online:
        instance["location"] = {"@type": "VirtualLocation", "name": cohort.location or "Online"}
    else:
        instance["location"] = {"@type": "Place", "name": cohort.location, "address": cohort.location}
    teachers = [{"@type": "Person", "name": teacher.display_name} for teacher in cohort.instructors.all()]
    if teachers:
        instance["instructor"] = teachers
    return instance
