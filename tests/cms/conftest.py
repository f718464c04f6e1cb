import pytest

from cms.demo import seed_site
from cms.models import CourseIndexPage, CoursePage, HomePage, ProgramPage


class Catalogue:
    """The page tree that publishes courses: /courses/<program>/<course>/."""

    def __init__(self):
        self.index = HomePage.objects.get().add_child(instance=CourseIndexPage(title="课程", slug="courses"))
        self.program_pages = {}

    def program_page(self, program) -> ProgramPage:
        if program.pk not in self.program_pages:
            self.program_pages[program.pk] = self.index.add_child(
                instance=ProgramPage(title=program.name, slug=program.slug, program=program)
            )
        return self.program_pages[program.pk]

    def publish(self, course, **fields) -> CoursePage:
        fields.setdefault("intro", f"{course.title}的简介")
        return self.program_page(course.program).add_child(
            instance=CoursePage(title=course.title, slug=course.code.lower(), course=course, **fields)
        )


@pytest.fixture
def catalogue(db):
    seed_site()  # the school's details exist, as on a real site
    return Catalogue()
