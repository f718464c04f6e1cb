"""StreamField blocks for course, news and standard pages. Each renders with its own template."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)
    alt_text = blocks.CharBlock(
        label=_("Description for screen readers"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to use the image's own description."),
    )

    class Meta:
        icon = "image"
        template = "cms/blocks/image_block.html"
        label = _("Image")
        description = _("A picture with an optional caption")


class SyllabusModuleBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Module"), max_length=120)
    hours = blocks.IntegerBlock(label=_("Hours"), min_value=1, max_value=500)
    description = blocks.TextBlock(label=_("What is covered"), required=False)

    class Meta:
        icon = "list-ol"
        label = _("Module")


class SyllabusBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, default="课程大纲")
    modules = blocks.ListBlock(SyllabusModuleBlock(), label=_("Modules"))

    class Meta:
        icon = "list-ol"
        template = "cms/blocks/syllabus_block.html"
        label = _("Syllabus")
        description = _("The course's modules with their hours")


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("Answer"), features=["bold", "italic", "link", "ol", "ul"])


class FaqBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, default="常见问题")
    questions = blocks.ListBlock(QuestionBlock(), label=_("Questions"))

    class Meta:
        icon = "help"
        template = "cms/blocks/faq_block.html"
        label = _("Questions and answers")
        description = _("Frequently asked questions, each opening on a tap")


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    name = blocks.CharBlock(label=_("Who said it"), required=False, max_length=100)
    role = blocks.CharBlock(label=_("Their role"), required=False, max_length=100)

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote_block.html"
        label = _("Quote")
        description = _("What a graduate or a partner merchant said")


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=200)
    button_label = blocks.CharBlock(label=_("Button label"), max_length=40)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("Or a web address"), required=False)

    class Meta:
        icon = "pick"
        template = "cms/blocks/call_to_action_block.html"
        label = _("Call to action")
        description = _("A short line with a button")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"page": blocks.BlockValidationError(_("Choose a page or enter a web address."))}
            )
        return value


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Text"),
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul"],
        template="cms/blocks/paragraph_block.html",
        icon="pilcrow",
    )
    image = ImageBlock()
    syllabus = SyllabusBlock()
    faq = FaqBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
