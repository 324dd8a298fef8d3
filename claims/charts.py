"""The claim page's picture: asserting vs denying sources over time, status periods as bands.

Computed here as plain geometry; templates/claims/_stance_chart.html draws it as inline SVG, so
the picture needs no JavaScript and every label stays escaped and translatable.

In a right-to-left interface (Arabic, Central Kurdish) the picture is mirrored: time runs from
right to left, the count scale stands on the right, and the SVG's `direction` is rtl, so each
label's text-anchor (start/end, relative to the direction) anchors it on the mirrored side. The
timestamps on the axis are digits read left to right: their own `direction="ltr"` and physical
anchors (`start_anchor`, `end_anchor`).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import get_language_bidi

from .models import Stance

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 36


@dataclass
class Band:
    x: float
    width: float
    status: str
    label: str
    starts_at: datetime
    rtl: bool = False

    @property
    def label_x(self) -> float:
        """Just inside the band's start: its left edge, or its right edge when time runs right to left."""
        return round(self.x + self.width - 4, 1) if self.rtl else round(self.x + 4, 1)


@dataclass
class StanceChart:
    starts_at: datetime
    ends_at: datetime
    bands: list[Band]
    asserts_points: str
    denies_points: str
    asserts_total: int
    denies_total: int
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM
    plot_height: int = HEIGHT - BOTTOM - TOP
    rtl: bool = False

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def time_start_x(self) -> int:
        """Where the time axis begins (the first event): the plot's left edge, its right one in RTL."""
        return self.plot_right if self.rtl else self.plot_left

    @property
    def time_end_x(self) -> int:
        return self.plot_left if self.rtl else self.plot_right

    @property
    def start_anchor(self) -> str:
        """The physical text-anchor (for left-to-right text) of the label at time_start_x: inside the plot."""
        return "end" if self.rtl else "start"

    @property
    def end_anchor(self) -> str:
        return "start" if self.rtl else "end"

    @property
    def tick_x(self) -> int:
        """The count labels, beside the scale's side of the plot (anchored at their end, logically)."""
        return self.plot_right + 6 if self.rtl else self.plot_left - 6

    def legend_key(self, offset: int) -> tuple[float, float]:
        """(rect x, text x) of a legend key `offset` units along the reading direction."""
        if self.rtl:
            return self.plot_right - offset - 12, self.plot_right - offset - 16
        return self.plot_left + offset, self.plot_left + offset + 16

    @property
    def asserts_key(self) -> tuple[float, float]:
        return self.legend_key(0)

    @property
    def denies_key(self) -> tuple[float, float]:
        return self.legend_key(200)


def stance_chart(
    sources_by_stance: list[tuple[str, datetime, datetime]],
    status_changes: list,
    *,
    now: datetime,
    rtl: bool | None = None,
) -> StanceChart | None:
    """Geometry for the chart from aggregates: a row per source and stance with when the source
    was first and last seen taking it, among accepted, unretracted appearances (claims.selectors.
    stance_chart_rows: distinct sources, as the list's counts count), and the claim's status changes
    in time order. Mirrored when `rtl` (by default: when the active language is written right to left)."""
    if rtl is None:
        rtl = get_language_bidi()
    asserts_at = sorted(first for stance, first, _ in sources_by_stance if stance == Stance.ASSERTS)
    denies_at = sorted(first for stance, first, _ in sources_by_stance if stance == Stance.DENIES)
    appearances = [first for _, first, _ in sources_by_stance] + [last for _, _, last in sources_by_stance]
    if not status_changes and not appearances:
        return None
    times = appearances + [s.changed_at for s in status_changes]
    starts_at = min(times)
    last = max(times)
    # Leave room after the last event so the final period is visible; for a claim still being
    # worked on, run to "now" (quiet time is information too), but never dwarf the events.
    span = last - starts_at
    ends_at = max(last + max(span * 0.08, timedelta(hours=1)), min(now, last + max(span * 0.5, timedelta(hours=1))))
    seconds = (ends_at - starts_at).total_seconds() or 1
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    # The count scale's margin (LEFT) is on the right in RTL: the plot spans the mirror image.
    plot_left, plot_right = (RIGHT, WIDTH - LEFT) if rtl else (LEFT, WIDTH - RIGHT)

    def x(at: datetime) -> float:
        offset = plot_width * (at - starts_at).total_seconds() / seconds
        return round(plot_right - offset if rtl else plot_left + offset, 1)

    asserts = [(at, n) for n, at in enumerate(asserts_at, start=1)]
    denies = [(at, n) for n, at in enumerate(denies_at, start=1)]
    top_count = max([1] + [n for _, n in asserts] + [n for _, n in denies])

    def y(count: int) -> float:
        return round(TOP + plot_height * (1 - count / top_count), 1)

    def step_line(steps):
        points, current = [(x(starts_at), y(0))], 0
        for at, count in steps:
            points += [(x(at), y(current)), (x(at), y(count))]
            current = count
        points.append((x(ends_at), y(current)))
        return " ".join(f"{px},{py}" for px, py in points)

    bands = []
    for index, change in enumerate(status_changes):
        band_end = status_changes[index + 1].changed_at if index + 1 < len(status_changes) else ends_at
        begins, ends = x(max(change.changed_at, starts_at)), x(band_end)
        left = min(begins, ends)
        bands.append(
            Band(
                x=left,
                width=max(round(abs(ends - begins), 1), 0.5),
                status=change.to_status,
                label=change.get_to_status_display(),
                starts_at=change.changed_at,
                rtl=rtl,
            )
        )
    tick_step = max(1, top_count // 4)
    return StanceChart(
        starts_at=starts_at,
        ends_at=ends_at,
        bands=bands,
        asserts_points=step_line(asserts),
        denies_points=step_line(denies),
        asserts_total=asserts[-1][1] if asserts else 0,
        denies_total=denies[-1][1] if denies else 0,
        y_ticks=[(y(n), n) for n in range(0, top_count + 1, tick_step)],
        plot_left=plot_left,
        plot_right=plot_right,
        rtl=rtl,
    )
