"""The outcomes dashboard's charts: SVG drawn on the server by pygal and placed inline in the page.

No script at all (pygal's tooltips need its JavaScript from a CDN: nothing loads from a CDN), a <title>
and a <desc> the chart is labelled by, and a data table beside each chart in the page is its text
alternative. Figures are shown by `formatted`, the same function the tables use, so both say the same."""

import uuid

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

import pygal
from pygal.style import Style

from jobs.outcomes.measures import MEASURES

KINDS = {measure.key: measure.kind for measure in MEASURES}
LABELS = {measure.key: measure.label for measure in MEASURES}

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#262626",
    foreground_strong="#262626",
    foreground_subtle="#5c5c5c",
    # Colour-blind-safe (Okabe–Ito); the legend and the table name every series as well.
    colors=("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"),
    font_family='system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif',
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
    value_font_size=12,
    tooltip_font_size=12,
)


def formatted(kind: str, value) -> str:
    """A figure as people read it: rates in per cent, money in yuan, days whole; "—" when there is none."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "money":
        return f"¥{value:,.0f}"
    if kind == "days":
        return f"{value:.0f}"
    return f"{value:,}"


def _percent(value):
    return None if value is None else round(value * 100, 1)


def _accessible(title: str, description: str):
    """An xml filter: the root is an image labelled by its title and description, and no script is left."""

    def named(element, name: str) -> bool:
        return isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] == name  # comments have no name

    title_id, description_id = f"chart-title-{uuid.uuid4().hex[:8]}", f"chart-desc-{uuid.uuid4().hex[:8]}"

    def accessible(root):
        for parent in list(root.iter()):
            for child in list(parent):
                if named(child, "script"):
                    parent.remove(child)
        root.set("role", "img")
        root.set("aria-labelledby", f"{title_id} {description_id}")
        for index, child in enumerate(list(root)):
            if named(child, "title"):
                child.set("id", title_id)
                desc = child.makeelement("desc", {"id": description_id})
                desc.text = description
                root.insert(index + 1, desc)
                break
        return root

    return accessible


def _chart(kind, *, title: str, description: str, **config):
    config = {
        "width": 760,
        "height": 360,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "no_data_text": _("No classes ended in this period"),
        **config,
    }
    chart = kind(js=[], disable_xml_declaration=True, title=title, style=STYLE, **config)
    return chart.add_xml_filter(_accessible(title, description))


def _render(chart) -> SafeString:
    # pygal escapes every text it writes (etree): the SVG may be placed in the page as it is.
    return mark_safe(chart.render(is_unicode=True))  # noqa: S308


def _rate_formatter(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def enrolment_trend_chart(rows, *, key="enrolments") -> SafeString:
    """Enrolments by month, as bars. Counts and rates get a chart each: two y axes on one chart mislead."""
    chart = _chart(
        pygal.Bar,
        title=_("Enrolments by month"),
        description=_(
            "Enrolments by the month in which the classes ended. The table beside the charts gives the same figures."
        ),
        include_x_axis=True,
        min_scale=1,
        value_formatter=lambda value: f"{value:,.0f}",
        x_label_rotation=30,
        show_legend=False,
        height=260,
    )
    chart.x_labels = [row.label for row in rows]
    chart.add(str(LABELS[key]), [row.values[key].value for row in rows])
    return _render(chart)


def rate_trend_chart(rows, *, keys=("completion_rate", "placement_90_rate")) -> SafeString:
    """Rates by month, in per cent; a month without a denominator is a gap in the line."""
    chart = _chart(
        pygal.Line,
        title=_("Rates by month"),
        description=_(
            "Completion rate and placement rate within 90 days, in per cent, by the month in which the classes "
            "ended. The table beside the charts gives the same figures."
        ),
        range=(0, 100),
        value_formatter=lambda value: f"{value:.0f}%",
        x_label_rotation=30,
    )
    chart.x_labels = [row.label for row in rows]
    for key in keys:
        chart.add(str(LABELS[key]), [_percent(row.values[key].value) for row in rows], formatter=_rate_formatter)
    return _render(chart)


def comparison_chart(
    rows, *, keys=("completion_rate", "certification_rate", "placement_90_rate", "placement_180_rate")
) -> SafeString:
    """Programs side by side: each rate in per cent, one bar per rate."""
    chart = _chart(
        pygal.Bar,
        title=_("Programs compared"),
        description=_(
            "Completion, certification and placement rates within 90 and 180 days, in per cent, for each "
            "program. The table beside the chart gives the same figures."
        ),
        range=(0, 100),
        value_formatter=lambda value: f"{value:.0f}%",
    )
    chart.x_labels = [row.label for row in rows]
    for key in keys:
        values = [_percent(row.values[key].value) for row in rows]
        chart.add(str(LABELS[key]), values, formatter=_rate_formatter)
    return _render(chart)
