"""`/trend` pictures: stories a day naming up to three actors, or the week's most-named actors.

Pure and synchronous (call it off the event loop: `asyncio.to_thread`): counts in, PNG bytes out.
Drawn for a phone: 960×600 px, large type, the actors' names in the legend, no chart junk,
dates in the reader's time zone, each actor's busiest day marked with its count.
"""

from __future__ import annotations

import struct
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")  # no display: Vigía runs on servers

import numpy as np
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator
from matplotlib.transforms import blended_transform_factory

__all__ = ["Trend", "draw_top", "draw_trend", "midnights", "reader_days"]

# Told apart by colour-blind readers too (Okabe–Ito).
COLOURS = ("#0072B2", "#D55E00", "#009E73")
WIDTH, HEIGHT, DPI = 8.0, 5.0, 120  # 960×600 px: a phone's width, and quick to draw
_LABEL_WIDTH, _LABEL_HEIGHT = 0.25, 0.085  # a busiest-day label, as fractions of the chart
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
    # One row of names when each fits its share of the width, else a row a name.
    rows = 1 if all(len(name) <= 70 // max(1, len(names)) - 4 for name in names) else len(names)
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor="white")
    figure.subplots_adjust(left=0.08, right=0.93, bottom=0.09, top=0.86 - 0.062 * rows)
    axes = figure.add_subplot()
    _plain(axes)
    xs = [_num(datetime(day.year, day.month, day.day)) for day in trend.days]
    axes.xaxis_date()
    highest = max((max(counts) for _, counts in trend.series), default=0)
    top = max(1, highest) * 1.25
    peaks = []
    for (_, counts), colour in zip(trend.series, COLOURS, strict=False):
        axes.plot(xs[:-1], counts[:-1], color=colour, linewidth=2.6)
        axes.plot(xs[-2:], counts[-2:], color=colour, linewidth=2.6, linestyle=":")
        busiest = max(range(len(counts)), key=lambda i: (counts[i], i))
        if counts[busiest]:
            axes.plot(xs[busiest], counts[busiest], "o", color=colour, markersize=9)
            peaks.append((busiest, counts[busiest], colour))
    # Busiest days close together (one event for everyone): the labels stack above the tallest.
    label_height = _LABEL_HEIGHT * top
    bases = _label_bases([(day / len(xs), count) for day, count, _ in peaks], label_height)
    for (day, count, colour), base in zip(peaks, bases, strict=True):
        axes.annotate(
            f"{count} · {_day(trend.days[day])}",
            (xs[day], base),
            textcoords="offset points",
            xytext=(0, 10),
            ha=_align(day, len(xs)),
            fontsize=13,
            fontweight="bold",
            color=colour,
        )
    axes.set_ylim(bottom=0, top=max([top, *(base + 2 * label_height for base in bases)]))
    axes.set_xlim(xs[0] - 0.5, xs[-1] + 0.5)  # half a day each side: no point on the edge
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    # Five dated ticks, the last on today: fixed positions draw far faster than a date locator.
    step = max(1, -(-len(xs) // 5))
    axes.xaxis.set_major_locator(FixedLocator(xs[::-1][::step][::-1]))
    axes.xaxis.set_major_formatter(FuncFormatter(_date_label))
    figure.text(0.02, 0.95, title, fontsize=17, va="top")
    # The legend: each name in its line's colour, behind a stroke of it. Plain texts, a third
    # of the cost of a matplotlib legend, which lays out boxes around handles and labels.
    for index, (name, colour) in enumerate(zip(names, COLOURS, strict=False)):
        x, y = (0.02 + 0.96 * index / len(names), 0.0) if rows == 1 else (0.02, 0.062 * index)
        figure.text(x, 0.875 - y, f"━━ {name}", color=colour, fontsize=14, va="top")
    return _png(figure)


def draw_top(counts: Sequence[tuple[str, int]], *, title: str) -> bytes:
    """Horizontal bars, the most named on top, each with its count."""
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor="white")
    longest = max((len(name) for name, _ in counts), default=10)
    figure.subplots_adjust(left=min(0.5, 0.03 + 0.0135 * longest), right=0.9, bottom=0.03, top=0.86)
    axes = figure.add_subplot()
    _plain(axes)
    names = [name for name, _ in counts][::-1]
    values = [value for _, value in counts][::-1]
    rows = range(len(names))
    bars = axes.barh(rows, values, color=COLOURS[0], height=0.7)
    axes.bar_label(bars, padding=4, fontsize=13)
    axes.set_xlim(0, max(values, default=1) * 1.12 or 1)
    axes.set_ylim(-0.5, len(names) - 0.5)
    # The names as plain texts left of their bars, not as ticks: an axis builds several
    # artists a tick, half the cost of this picture.
    axes.set_axis_off()
    beside = blended_transform_factory(axes.transAxes, axes.transData)
    for row, name in zip(rows, names, strict=True):
        axes.text(
            -0.01,
            row,
            name,
            transform=beside,
            ha="right",
            va="center",
            fontsize=14,
            color="#333333",
        )
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
    """The figure as a PNG of unfiltered RGB rows, deflated fast: for flat colours as small as
    Pillow's writer makes (which tries five filters on every row), in half the time."""
    canvas = FigureCanvasAgg(figure)
    with warnings.catch_warnings():
        # A character the font lacks (a flag emoji in a name) is drawn as a box; not news.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        canvas.draw()  # type: ignore[no-untyped-call]
    rgba = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    pixels = np.asarray(rgba)[:, :, :3]
    height, width, _ = pixels.shape
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # each row: filter 0 (none), pixels
    rows[:, 1:] = pixels.reshape(height, -1)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),  # 8-bit RGB
            _chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _label_bases(peaks: Sequence[tuple[float, float]], height: float) -> list[float]:
    """Where each peak's label sits (in counts) so that no two overlap: on its own point, or
    above the label of a taller peak close by. Peaks as (fraction of the width, count)."""
    bases: dict[int, float] = {}
    for index in sorted(range(len(peaks)), key=lambda i: -peaks[i][1]):
        x, base = peaks[index]
        clash = True
        while clash:
            clash = False
            for other, other_base in bases.items():
                # A hair under a label's height: one label's height apart, as the sum of floats
                # may land, two labels only touch.
                close = abs(x - peaks[other][0]) < _LABEL_WIDTH
                if close and abs(base - other_base) < height * 0.99:
                    base, clash = other_base + height, True
        bases[index] = base
    return [bases[index] for index in range(len(peaks))]


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
