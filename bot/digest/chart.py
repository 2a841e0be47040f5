"""`/trend` pictures: stories a day naming up to three actors, or the week's most-named actors.

Pure and synchronous (call it off the event loop: `asyncio.to_thread`): counts in, PNG bytes out.
Drawn for a phone: 960×600 px, large type, the actors' names in the legend, no chart junk,
dates in the reader's time zone, each actor's busiest day marked with its count.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")  # no display: Vigía runs on servers

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

__all__ = ["Trend", "draw_top", "draw_trend", "midnights", "reader_days"]

# Told apart by colour-blind readers too (Okabe–Ito).
COLOURS = ("#0072B2", "#D55E00", "#009E73")
WIDTH, HEIGHT, DPI = 8.0, 5.0, 120  # 960×600 px: a phone's width, and quick to draw
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Trend:
    """Stories a day naming each actor, over the reader's last days (oldest first)."""

    days: tuple[date, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]  # (actor's name, a count per day)

    @property
    def total(self) -> int:
        """Stories counted over every series and day."""
        return sum(sum(counts) for _, counts in self.series)


def reader_days(*, days: int, tz: ZoneInfo, now: datetime) -> tuple[date, ...]:
    """The reader's `days` last days, today included, oldest first."""
    today = now.astimezone(tz).date()
    return tuple(today - timedelta(days=offset) for offset in range(days - 1, -1, -1))


def midnights(days: Sequence[date], tz: ZoneInfo) -> tuple[datetime, ...]:
    """Where each day begins in the reader's zone, and where the last one ends, in UTC: the
    bounds a count a day is taken between (a day of a summer-time change is 23 or 25 hours)."""
    ends = (*days, days[-1] + timedelta(days=1)) if days else ()
    return tuple(datetime.combine(day, time(), tzinfo=tz).astimezone(UTC) for day in ends)


def draw_trend(trend: Trend, *, title: str) -> bytes:
    """A line a actor, a day a point; each actor's busiest day marked with its count. Today is
    still going: its last stretch is dotted."""
    names = [name for name, _ in trend.series]
    stacked = sum(len(name) for name in names) > 48  # one legend row would not fit the width
    legend_rows = len(names) if stacked else 1
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    figure.subplots_adjust(left=0.08, right=0.93, bottom=0.09, top=0.86 - 0.062 * legend_rows)
    axes = figure.add_subplot()
    _plain(axes)
    xs = [_num(datetime(day.year, day.month, day.day)) for day in trend.days]
    axes.xaxis_date()
    highest = max((max(counts) for _, counts in trend.series), default=0)
    for (name, counts), colour in zip(trend.series, COLOURS, strict=False):
        axes.plot(xs[:-1], counts[:-1], color=colour, linewidth=2.6, label=name)
        axes.plot(xs[-2:], counts[-2:], color=colour, linewidth=2.6, linestyle=":")
        busiest = max(range(len(counts)), key=lambda i: (counts[i], i))
        if counts[busiest]:
            axes.plot(xs[busiest], counts[busiest], "o", color=colour, markersize=9)
            axes.annotate(
                f"{counts[busiest]} · {_day(trend.days[busiest])}",
                (xs[busiest], counts[busiest]),
                textcoords="offset points",
                xytext=(0, 10),
                ha=_align(busiest, len(counts)),
                fontsize=13,
                fontweight="bold",
                color=colour,
            )
    axes.set_ylim(bottom=0, top=max(1, highest) * 1.25)
    axes.set_xlim(xs[0] - 0.5, xs[-1] + 0.5)  # half a day each side: no point on the edge
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    # Five dated ticks, the last on today: fixed positions draw far faster than a date locator.
    step = max(1, -(-len(xs) // 5))
    axes.xaxis.set_major_locator(FixedLocator(xs[::-1][::step][::-1]))
    axes.xaxis.set_major_formatter(FuncFormatter(_date_label))
    figure.text(0.02, 0.95, title, fontsize=17, va="top")
    figure.legend(
        loc="upper left",
        bbox_to_anchor=(0.01, 0.89),
        ncols=1 if stacked else max(1, len(names)),
        fontsize=14,
        frameon=False,
        handlelength=1.6,
    )
    return _png(figure)


def draw_top(counts: Sequence[tuple[str, int]], *, title: str) -> bytes:
    """Horizontal bars, the most named on top, each with its count."""
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    longest = max((len(name) for name, _ in counts), default=10)
    figure.subplots_adjust(left=min(0.5, 0.03 + 0.0135 * longest), right=0.9, bottom=0.03, top=0.86)
    axes = figure.add_subplot()
    _plain(axes)
    names = [name for name, _ in counts][::-1]
    values = [value for _, value in counts][::-1]
    bars = axes.barh(names, values, color=COLOURS[0], height=0.7)
    axes.bar_label(bars, padding=4, fontsize=13)
    axes.set_xlim(0, max(values, default=1) * 1.12 or 1)
    axes.xaxis.set_visible(False)
    axes.spines["bottom"].set_visible(False)
    axes.grid(False)
    axes.tick_params(axis="y", length=0, labelsize=14)
    figure.text(0.02, 0.95, title, fontsize=17, va="top")
    return _png(figure)


def _plain(axes: object) -> None:
    """No chart junk: no box, a faint horizontal grid, large tick labels."""
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color("#888888")
    axes.grid(axis="y", color="#dddddd", linewidth=1)
    axes.set_axisbelow(True)
    axes.tick_params(labelsize=13, colors="#333333", length=0)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # A character the font lacks (a flag emoji in a name) is drawn as a box; not news.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        # Fast compression: a few more kilobytes, a fraction of the time.
        figure.savefig(
            buffer, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 1}
        )
    return buffer.getvalue()


def _align(index: int, count: int) -> str:
    """Where a label sits on its point, so that none runs off either edge."""
    if index < count * 0.12:
        return "left"
    if index > count * 0.88:
        return "right"
    return "center"


def _num(moment: datetime) -> float:
    return float(mdates.date2num(moment))  # type: ignore[no-untyped-call]


def _date_label(value: float, _position: int | None = None) -> str:
    return _day(mdates.num2date(value).date())  # type: ignore[no-untyped-call]


def _day(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"
