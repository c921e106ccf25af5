"""One chart per target: its values by year with CI bars, the target (where it is on the
values' scale: fct_plan_target.is_target_on_value_scale), the baseline; PNG.

Charts are drawn with a named CJK font (Chinese labels otherwise render as boxes) and
saved without the software tag, so the same data give the same bytes.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from orchestration.report.records import Observation, Target
from orchestration.report.wording import Context, is_withheld, num

CJK_FONT_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FONT_FAMILY = "Noto Sans CJK SC"
RED = "#C00000"


@cache
def _cjk_family() -> str:
    if not CJK_FONT_FILE.exists():
        raise FileNotFoundError(
            f"the CJK font {CJK_FONT_FILE} is missing: without it Chinese labels in the charts "
            "render as boxes (install fonts-noto-cjk)"
        )
    if CJK_FONT_FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(CJK_FONT_FILE))
    return CJK_FONT_FAMILY


def chart_png(ctx: Context, target: Target, rows: tuple[Observation, ...]) -> bytes:
    """Values by year with CI bars, the target dashed, the baseline marked; PNG bytes."""
    with rc_context({"font.family": [_cjk_family()], "axes.unicode_minus": False}):
        fig = chart_figure(ctx, target, rows)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def chart_figure(ctx: Context, target: Target, rows: tuple[Observation, ...]) -> Figure:
    """The chart of chart_png, drawn (inside the CJK font's rc_context)."""
    unit_label = getattr(rows[0], f"unit_{ctx.lang}") or rows[0].unit_zh
    fig = Figure(figsize=(7.0, 3.3), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    shown = [r for r in rows if not is_withheld(r)]
    ax.plot(
        [r.year for r in shown],
        [r.value for r in shown],
        marker="o",
        color="#1F4E79",
        label=ctx.t(f"series.{rows[0].series}"),
    )
    _draw_ci(ctx, ax, shown)
    if target.is_target_on_value_scale:
        _draw_target(ctx, ax, target)
    _draw_baseline(ctx, ax, target)
    withheld = [r.year for r in rows if is_withheld(r)]
    if withheld:
        ax.plot(
            withheld,
            [0.03] * len(withheld),
            marker="x",
            markersize=9,
            linestyle="none",
            color=RED,
            transform=ax.get_xaxis_transform(),
            label=ctx.t("chart.suppressed"),
        )
    years = [r.year for r in rows] + [
        y for y in (target.baseline_year, target.target_year) if y is not None
    ]
    ax.set_xlim(min(years) - 0.5, max(years) + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(ctx.goal_name(target), fontsize=11, wrap=True)  # a long name: lines
    ax.set_xlabel(ctx.t("chart.year"))
    ax.set_ylabel(unit_label)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def _draw_ci(ctx: Context, ax: Any, shown: list[Observation]) -> None:
    with_ci = [r for r in shown if r.ci_lower is not None and r.ci_upper is not None]
    if not with_ci:
        return
    ax.errorbar(
        [r.year for r in with_ci],
        [r.value for r in with_ci],
        yerr=[[r.value - r.ci_lower for r in with_ci], [r.ci_upper - r.value for r in with_ci]],
        fmt="none",
        ecolor="#5B9BD5",
        capsize=4,
        label=ctx.t("chart.ci"),
    )


def _draw_target(ctx: Context, ax: Any, target: Target) -> None:
    label = ctx.t("chart.target", label=ctx.target_label(target))
    value = target.target_value
    if target.comparator == "range" and target.target_value_upper is not None:
        ax.axhspan(value, target.target_value_upper, color=RED, alpha=0.08)
        ax.axhline(target.target_value_upper, linestyle="--", color=RED)
    elif target.comparator == "approx" and target.tolerance:
        tolerance = target.tolerance
        ax.axhspan(value - tolerance, value + tolerance, color=RED, alpha=0.08)
    ax.axhline(value, linestyle="--", color=RED, label=label)


def _draw_baseline(ctx: Context, ax: Any, target: Target) -> None:
    if target.baseline_value is None or target.baseline_year is None:
        return
    label = ctx.t(
        "chart.baseline",
        value=num(target.baseline_value, target.indicator_family),
        year=target.baseline_year,
    )
    ax.plot(
        [target.baseline_year],
        [target.baseline_value],
        marker="D",
        markersize=8,
        linestyle="none",
        color="#7F7F7F",
        label=label,
    )
