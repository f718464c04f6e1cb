from django.core.paginator import Paginator
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.cache import EVERY_COURSE, mark_public, seat_versions
from cms.structured_data import course_json_ld
from jobs.outcomes.public import public_outcomes
from school.models import Program
from school.selectors import catalogue_courses, course_detail, filter_courses, upcoming_cohorts

COURSES_PER_PAGE = 12


class BasePage(Page):
    """What every public page has: a share image and a place in the public page cache."""

    share_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("share image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown when the page is shared on WeChat and other sites. Defaults to the page's main image."),
    )

    promote_panels = [*Page.promote_panels, FieldPanel("share_image")]

    class Meta:
        abstract = True

    @property
    def main_image(self):
        return self.share_image

    @property
    def meta_description(self) -> str:
        text = self.search_description or getattr(self, "intro", "") or getattr(self, "hero_text", "")
        return strip_tags(str(text))[:150]

    # The courses whose seats the page shows (ids, or cms.cache.EVERY_COURSE): it is served from the
    # cache only until one of their classes takes or frees a seat.
    shows_seats_of: tuple = ()

    def serve(self, request, *args, **kwargs):
        depends_on = seat_versions(self.shows_seats_of)  # before the page reads the seats
        return mark_public(super().serve(request, *args, **kwargs), depends_on=depends_on)


class HomePage(BasePage):
    """The site root: the school's front door."""

    hero_title = models.CharField(_("hero title"), max_length=120, blank=True)
    hero_text = models.TextField(_("hero text"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("hero_image")], heading=_("Hero")
        ),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.CourseIndexPage",
        "cms.NewsIndexPage",
        "cms.StandardPage",
        "cms.ContactPage",
        "cms.OutcomesPage",
    ]
    max_count = 1
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("home page")

    @property
    def main_image(self):
        return self.share_image or self.hero_image

    shows_seats_of = (EVERY_COURSE,)  # the next classes, with their seats

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["programs"] = (
            ProgramPage.objects.live().select_related("program", "hero_image").order_by("program__sort_order")
        )
        context["featured_courses"] = published_courses(catalogue_courses().filter(page__featured=True))[:6]
        context["next_cohorts"] = (
            upcoming_cohorts().filter(course__page__live=True).select_related("course__program", "course__page")[:6]
        )
        context["latest_news"] = NewsPage.objects.live().order_by("-date", "-pk")[:3]
        return context


class CourseIndexPage(BasePage):
    """/courses/: every course, with filters and search."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProgramPage"]
    max_count = 1
    template = "cms/course_index_page.html"

    class Meta:
        verbose_name = _("course index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course_filter = filter_courses(request.GET)
        paginator = Paginator(published_courses(course_filter.qs), COURSES_PER_PAGE)
        page_of_courses = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            course_filter=course_filter,
            courses=page_of_courses,
            result_count=paginator.count,
            query_without_page=query.urlencode(),
            is_filtered=any(value for key, value in request.GET.items() if key not in {"page", "sort"}),
        )
        return context


class ProgramPage(BasePage):
    """One major, e.g. 电子商务, and its courses."""

    program = models.OneToOneField(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="page")
    intro = models.TextField(_("introduction"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("program"),
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.CourseIndexPage"]
    subpage_types = ["cms.CoursePage"]
    template = "cms/program_page.html"

    class Meta:
        verbose_name = _("program page")

    @property
    def main_image(self):
        return self.share_image or self.hero_image

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = published_courses(catalogue_courses().filter(program=self.program_id))
        return context


class CoursePageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        course, program_page = cleaned_data.get("course"), getattr(self.parent_page, "specific", None)
        if course and isinstance(program_page, ProgramPage) and course.program_id != program_page.program_id:
            self.add_error("course", _("This course belongs to another program: publish it under that program's page."))
        return cleaned_data


class CoursePage(BasePage):
    """Publishes one school Course: editors own the words and pictures, staff own the facts."""

    base_form_class = CoursePageForm

    course = models.OneToOneField(
        "school.Course", verbose_name=_("course"), on_delete=models.PROTECT, related_name="page"
    )
    intro = models.TextField(_("introduction"), help_text=_("One or two sentences for the course list."))
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    featured = models.BooleanField(_("featured on the home page"), default=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("course"),
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
        FieldPanel("featured"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.ProgramPage"]
    subpage_types = []
    template = "cms/course_page.html"

    class Meta:
        verbose_name = _("course page")

    @property
    def main_image(self):
        return self.share_image or self.hero_image

    @property
    def shows_seats_of(self):
        return (self.course_id,)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course = course_detail(self.course_id)
        prefetch_related_objects([course], "prerequisites__page")
        school = SchoolSettings.for_request(request)
        context["course"] = course
        context["json_ld"] = course_json_ld(course=course, page=self, request=request, school_name=school.name)
        return context


def published_courses(courses):
    """Courses that have a live page, with what a course card shows (page link and image)."""
    return (
        courses.filter(page__live=True)
        .select_related("page__hero_image")
        .prefetch_related("page__hero_image__renditions")
    )


class NewsIndexPage(BasePage):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count = 1
    template = "cms/news_index_page.html"

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.child_of(self).live().select_related("image").order_by("-date", "-pk")
        context["news"] = Paginator(news, 10).get_page(request.GET.get("page"))
        return context


class NewsPage(BasePage):
    date = models.DateField(_("date"))
    intro = models.TextField(_("summary"))
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []
    template = "cms/news_page.html"

    class Meta:
        verbose_name = _("news item")

    @property
    def main_image(self):
        return self.share_image or self.image


class StandardPage(BasePage):
    """About us, enrolment guide, privacy: words and pictures."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]
    template = "cms/standard_page.html"

    class Meta:
        verbose_name = _("standard page")


class OutcomesPage(BasePage):
    """/outcomes/: what happened to the students of the last 12 months, per program and course, with
    every figure based on fewer than 5 people suppressed (jobs.outcomes.public)."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul", "ol"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1
    template = "cms/outcomes_page.html"

    class Meta:
        verbose_name = _("outcomes page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["outcomes"] = public_outcomes()
        return context


class ContactFormField(AbstractFormField):
    page = ParentalKey("ContactPage", on_delete=models.CASCADE, related_name="form_fields")


class ContactPage(AbstractEmailForm):
    """A form visitors send to the school; staff read the submissions in the admin."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "link"])
    thank_you_text = RichTextField(_("thank-you text"), blank=True, features=["bold", "link"])

    content_panels = [
        FormSubmissionsPanel(),
        *AbstractEmailForm.content_panels,
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("E-mail to staff"),
        ),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    template = "cms/contact_page.html"
    landing_page_template = "cms/contact_page_landing.html"

    class Meta:
        verbose_name = _("contact form")


@register_setting(icon="site")
class SchoolSettings(BaseSiteSetting):
    """The school's contact details, shown in every page footer."""

    name = models.CharField(_("school name"), max_length=100, default="百佳商务培训")
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    wechat_qr = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("WeChat QR code"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("address"),
        FieldPanel("phone"),
        FieldPanel("email"),
        FieldPanel("opening_hours"),
        FieldPanel("logo"),
        FieldPanel("wechat_qr"),
    ]

    class Meta:
        verbose_name = _("school details")
