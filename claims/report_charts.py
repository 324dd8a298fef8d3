"""The reports' pictures (claims.reports), as plain geometry for inline SVG, the way claims.charts
draws the claim page's: templates/claims/_report_columns.html (a column per week, stacked by
status) and _report_bars.html (a horizontal bar per source). No JavaScript; every label escaped.

Mirrored in a right-to-left interface, as the claim page's chart is: weeks run from right to left
with the scale on the right; bars grow leftwards from their labels on the right. The SVG's
`direction` is rtl, so the templates' logical text-anchors (start/end) anchor on the mirrored side.
"""

from dataclasses import dataclass

from django.utils.translation import get_language_bidi

WIDTH = 720
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 36
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH = 18, 6, 240


@dataclass
class Segment:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class XLabel:
    x: float
    text: str


@dataclass
class ColumnChart:
    segments: list[Segment]
    x_labels: list[XLabel]
    y_ticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = 240
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = 240 - BOTTOM
    rtl: bool = False

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def tick_x(self) -> int:
        """The scale's labels, outside the plot on its scale side (anchored at their end, logically)."""
        return self.plot_right + 6 if self.rtl else self.plot_left - 6


def column_chart(
    columns: list[tuple[str, list[tuple[str, float, str]]]],
    *,
    tick_text=str,
    height: int = 240,
    rtl: bool | None = None,
):
    """A column per (label, [(css class, value, title)]), its parts stacked from the bottom; every
    fourth column labelled. None when every value is 0. Mirrored when `rtl` (by default: when the
    active language is written right to left)."""
    if rtl is None:
        rtl = get_language_bidi()
    plot_left, plot_right = (RIGHT, WIDTH - LEFT) if rtl else (LEFT, WIDTH - RIGHT)
    totals = [sum(value for _css, value, _title in parts) for _label, parts in columns]
    top = max(totals, default=0)
    if not top:
        return None
    plot_bottom, plot_height = height - BOTTOM, height - BOTTOM - TOP
    step = (WIDTH - LEFT - RIGHT) / len(columns)
    segments, labels = [], []
    for index, (label, parts) in enumerate(columns):
        x = plot_right - (index + 1) * step + step * 0.1 if rtl else plot_left + index * step + step * 0.1
        base = plot_bottom
        for css, value, title in parts:
            if not value:
                continue
            part = plot_height * value / top
            base -= part
            segments.append(Segment(round(x, 1), round(base, 1), round(step * 0.8, 1), round(part, 1), css, title))
        if (len(columns) - 1 - index) % 4 == 0:  # every fourth, the newest included
            labels.append(XLabel(round(x + step * 0.4, 1), label))
    ticks, seen = [], set()
    for n in range(5):  # a quarter of the top each, once per text (small counts round alike)
        text = tick_text(top * n / 4)
        if text not in seen:
            seen.add(text)
            ticks.append((round(plot_bottom - plot_height * n / 4, 1), text))
    return ColumnChart(
        segments=segments,
        x_labels=labels,
        y_ticks=ticks,
        height=height,
        plot_bottom=plot_bottom,
        plot_left=plot_left,
        plot_right=plot_right,
        rtl=rtl,
    )


@dataclass
class Bar:
    y: float
    width: float
    label: str
    value_text: str
    label_y: float
    value_x: float
    x: float = LABEL_WIDTH


@dataclass
class BarChart:
    bars: list[Bar]
    width: int = WIDTH
    height: int = 0
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    rtl: bool = False

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def label_x(self) -> int:
        """The labels end here (logically: text-anchor end), just before the bars start."""
        return self.width - self.label_width + 6 if self.rtl else self.label_width - 6


def bar_chart(rows: list[tuple[str, float, str]], *, rtl: bool | None = None) -> BarChart | None:
    """A horizontal bar per (label, value, value text), longest first as given. None without rows.
    Mirrored when `rtl` (by default: when the active language is written right to left)."""
    if rtl is None:
        rtl = get_language_bidi()
    top = max((value for _label, value, _text in rows), default=0)
    if not rows or not top:
        return None
    plot = WIDTH - LABEL_WIDTH - 90  # room for the value's text after the bar
    bars = []
    for index, (label, value, text) in enumerate(rows):
        y = TOP + index * (BAR_HEIGHT + BAR_GAP)
        width = max(round(plot * value / top, 1), 1)
        if rtl:  # the bar grows leftwards from the labels' column on the right; its value after it
            x = round(WIDTH - LABEL_WIDTH - width, 1)
            bars.append(Bar(y, width, label, text, y + BAR_HEIGHT - 5, round(x - 6, 1), x=x))
        else:
            bars.append(Bar(y, width, label, text, y + BAR_HEIGHT - 5, round(LABEL_WIDTH + width + 6, 1)))
    return BarChart(bars=bars, height=TOP * 2 + len(rows) * (BAR_HEIGHT + BAR_GAP), rtl=rtl)
