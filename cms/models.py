from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page


class HomePage(Page):
    """The site root: the school's front door."""

    hero_title = models.CharField(_("hero title"), max_length=120, blank=True)
    hero_text = models.TextField(_("hero text"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("hero_title"), FieldPanel("hero_text")], heading=_("Hero")),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("home page")


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
