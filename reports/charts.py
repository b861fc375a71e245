"""Geometry for charts drawn as SVG by templates (no JavaScript). Every chart is shown with a
table of the same numbers next to it; the chart is a picture of the table."""

from dataclasses import dataclass

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 220
PLOT_WIDTH = 360
LINE_WIDTH = 560
LINE_HEIGHT = 220
PAD = 30


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as written in the table
    y: int
    width: float
    over: bool  # above the reference (e.g. a full group)


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    plot_width: int
    reference_x: float  # x of 100 %


def bar_chart(items: list[tuple[str, float, str]], *, maximum: float = 1.0) -> BarChart:
    """Horizontal bars: (label, value, text); values are scaled so `maximum` fills the plot
    (longer values are capped at the plot's edge and marked `over`)."""
    top = max([maximum, *[value for _l, value, _t in items]]) or 1.0
    bars = [
        Bar(
            label=label,
            text=text,
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=round(max(value, 0) / top * PLOT_WIDTH, 1),
            over=value >= maximum,
        )
        for index, (label, value, text) in enumerate(items)
    ]
    height = max(len(bars) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT)
    return BarChart(
        bars=bars,
        width=LABEL_WIDTH + PLOT_WIDTH + 60,
        height=height,
        label_width=LABEL_WIDTH,
        plot_width=PLOT_WIDTH,
        reference_x=round(LABEL_WIDTH + maximum / top * PLOT_WIDTH, 1),
    )


@dataclass(frozen=True)
class Point:
    label: str
    text: str
    x: float
    y: float | None  # None: no value (nothing marked that month)


@dataclass(frozen=True)
class LineChart:
    points: list[Point]
    width: int
    height: int
    polyline: str
    gridlines: list[tuple[float, str]]  # (y, "50%")
    baseline: float


def line_chart(items: list[tuple[str, float | None, str]]) -> LineChart:
    """A line of rates (0..1) over time; gaps where a value is missing are skipped."""
    plot_h = LINE_HEIGHT - 2 * PAD
    step = (LINE_WIDTH - 2 * PAD) / max(len(items) - 1, 1)
    points = [
        Point(
            label=label,
            text=text,
            x=round(PAD + index * step, 1),
            y=None if value is None else round(PAD + (1 - value) * plot_h, 1),
        )
        for index, (label, value, text) in enumerate(items)
    ]
    polyline = " ".join(f"{p.x},{p.y}" for p in points if p.y is not None)
    gridlines = [(round(PAD + (1 - f) * plot_h, 1), f"{round(f * 100)}%") for f in (0, 0.5, 1)]
    return LineChart(
        points=points,
        width=LINE_WIDTH,
        height=LINE_HEIGHT,
        polyline=polyline,
        gridlines=gridlines,
        baseline=PAD + plot_h,
    )
