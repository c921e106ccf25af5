"""Overview: where each plan stands, at a glance, for leadership.

First the scorecard: one row per plan with its goals counted by verdict and one coloured
cell per goal (plans × goals). Then one plan, chosen in the URL (`?plan=`): a tile per
quantitative target with its latest value, the target and the verdict in colour and
words, each linking to the target's detail page; its tasks and safeguards; and what the
registry says of it (targets with baseline, departments and source sentence, measures).
Verdicts are fct_target_progress's, counts fct_plan_status_count's: nothing is judged here.
"""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

import vocabulary
from dashboards import data, status_data
from dashboards.formats import (
    DASH,
    day,
    goal_value,
    styled,
    unbroken_years,
    whole,
    wrapped,
)
from dashboards.i18n import (
    code_label,
    column_labels,
    current_language,
    department_list,
    goal_indicator,
    goal_target,
    localized,
    names_by_code,
    pick,
    t,
)
from dashboards.links import PLAN, TARGET, TARGET_PAGE, anchor, href, url_choice
from dashboards.sparkline import sparkline
from dashboards.verdicts import STATUSES, badge, colour, ink

GOAL_GROUPS = vocabulary.codes("goal_group")
TARGET_GROUP = "target"
TILE_COLUMNS = 3
# How the scorecard and the tiles look, once for the page rather than in every cell: three
# tiles a row with the gap of st.columns, each as tall as its text and bordered as
# st.container(border=True) borders a markdown (whose last line takes the bottom padding).
STYLE = (
    "<style>.scorecard .nowrap{white-space:nowrap}"
    ".goal-cell{display:inline-block;width:14px;height:14px;margin:1px;border-radius:2px}"
    ".tile-grid{display:grid;"
    f"grid-template-columns:repeat({TILE_COLUMNS},minmax(0,1fr));gap:1rem;align-items:start}}"
    ".tile-grid>.tile{border:1px solid rgba(49,51,63,0.2);border-radius:0.5rem;"
    "padding:calc(1em - 1px) calc(1em - 1px) 0}"
    ".tile-latest{font-size:1.6rem;font-weight:600}</style>"
)
# Pixels of the plan table's wrapped columns: with the others the table fits the page at
# 1440 px, so no column is cut at its right edge.
WRAPPED_PLAN_COLUMNS = {"plan_name": 230, "region_name": 110, "review_points": 140}
OVERVIEW_PAGE = ""  # the default page is served at the root
PLAN_COLUMNS = [
    "plan_id",
    "plan_name",
    "region_name",
    "period",
    "issued_on",
    "review_points",
    "target_count",
    "measure_count",
]
TARGET_COLUMNS = [
    "indicator",
    "kind",
    "target",
    "baseline_year",
    "baseline_value",
    "target_year",
    "lead_departments",
    "cooperating_departments",
    "source_quote",
    "note",
]
MEASURE_COLUMNS = ["measure_no", "measure_title", "measure_summary", "responsible_units"]
# What a scorecard cell shows of its goal (turning only these into records keeps it quick).
CELL_COLUMNS = [
    "plan_id",
    "target_id",
    "goal_group",
    "progress_status",
    "target_label_zh",
    "target_label_en",
    "indicator_name_zh",
    "indicator_name_en",
    "gap_group_a",
    "gap_group_b",
]


def period_text(start: int, end: int | None) -> str:
    """'2021–2025', or '2022–' for a plan that states no end year."""
    return f"{start}–{'' if pd.isna(end) else int(end)}"


def review_points(reviews: pd.DataFrame) -> dict[str, str]:
    """Each plan's review calendar as one line, e.g. '2023 中期评估；2025 总结评估'."""
    return {
        plan_id: t("list.separator").join(
            f"{row.review_year} {code_label('review_kind', row.review_kind)}"
            for row in group.itertuples()
        )
        for plan_id, group in reviews.groupby("plan_id", sort=False)
    }


def plan_table(plans: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    frame = localized(plans, "plan_name", "region_name")
    frame["period"] = [
        period_text(s, e) for s, e in zip(frame.period_start, frame.period_end, strict=True)
    ]
    frame["issued_on"] = frame["issued_on"].map(day)
    frame["review_points"] = frame["plan_id"].map(review_points(reviews)).fillna(DASH)
    return frame[PLAN_COLUMNS]


def counts_line(counts: pd.DataFrame) -> str:
    """Badges 'Not achieved 7', 'Achieved 4' of one plan and goal group, in report order."""
    by_status = dict(zip(counts["progress_status"], counts["goal_count"], strict=True))
    return "&ensp;".join(
        badge(code, t("overview.count", status=code_label("progress_status", code), n=whole(n)))
        for code in STATUSES
        if (n := by_status.get(code))
    )


def goal_cells(goals: pd.DataFrame) -> str:
    """One small coloured cell per goal, linking to its detail page; its name on hover."""
    cells = []
    for goal in goals.to_dict("records"):
        link = escape(href(TARGET_PAGE, **{PLAN: goal["plan_id"], TARGET: goal["target_id"]}))
        verdict = code_label("progress_status", goal["progress_status"])
        title = f"{goal_target(goal)}: {verdict}"
        if goal["goal_group"] == TARGET_GROUP:
            title = f"{goal_indicator(goal)} {title}"
        cells.append(
            f'<a href="{link}" target="_self" title="{escape(title)}" '
            f'class="goal-cell" data-status="{goal["progress_status"]}"></a>'
        )
    return "".join(cells)


def scorecard(plans: pd.DataFrame, goals: pd.DataFrame, counts: pd.DataFrame) -> str:
    """The plans × goals matrix as an HTML table: per plan one row for each goal group
    (targets, tasks, safeguards), its goals counted by verdict and drawn one cell each."""
    headers = (
        "col.plan_name",
        "col.period",
        "col.goal_group",
        "overview.verdicts",
        "overview.goals",
    )
    head = "".join(f"<th>{escape(t(key))}</th>" for key in headers)
    counted = dict(tuple(counts.groupby(["plan_id", "goal_group"], sort=False)))
    drawn = dict(tuple(goals[CELL_COLUMNS].groupby(["plan_id", "goal_group"], sort=False)))
    no_goals = goals[CELL_COLUMNS].iloc[0:0]
    bodies = []
    for plan in plans.to_dict("records"):
        plan_id = plan["plan_id"]
        groups = [group for group in GOAL_GROUPS if (plan_id, group) in counted]
        link = escape(href(OVERVIEW_PAGE, **{PLAN: plan_id}))
        span = f' rowspan="{max(len(groups), 1)}"'
        name = escape(unbroken_years(pick(plan, "plan_name")))
        plan_cells = (
            f'<td{span}><a href="{link}" target="_self">{name}</a></td>'
            f'<td{span} class="nowrap">'
            f"{period_text(plan['period_start'], plan['period_end'])}</td>"
        )
        rows = []
        for group in groups:
            plan_goals = drawn.get((plan_id, group), no_goals)
            rows.append(
                f'<td class="nowrap">{escape(code_label("goal_group", group))}</td>'
                f"<td>{counts_line(counted[(plan_id, group)])}</td>"
                f"<td>{goal_cells(plan_goals)}</td>"
            )
        rows = [plan_cells + row for row in rows[:1]] + rows[1:] or [plan_cells]
        bodies.append(
            f'<tbody data-plan="{plan_id}">{"".join(f"<tr>{row}</tr>" for row in rows)}</tbody>'
        )
    return f'<table class="scorecard"><thead><tr>{head}</tr></thead>{"".join(bodies)}</table>'


def tile(goal: dict, series: pd.DataFrame) -> str:
    """A target's tile: name, latest value and year, target, verdict; a link to its detail."""
    latest = escape(goal_value(goal, "latest_value"))
    year = DASH if pd.isna(goal["latest_year"]) else int(goal["latest_year"])
    target = t("overview.target", target=goal_target(goal), year=goal["target_year"])
    stage = code_label("verdict_stage", goal["verdict_stage"])
    chosen = {PLAN: goal["plan_id"], TARGET: goal["target_id"]}
    details = anchor(TARGET_PAGE, t("overview.details"), **chosen)
    drawn_target = goal["target_value"] if goal["is_target_on_value_scale"] else None
    trend = sparkline(series, drawn_target, t("detail.series"))
    if not pd.isna(goal["years_assessed"]):
        years = t(
            "overview.years_met", met=whole(goal["years_met"]), of=whole(goal["years_assessed"])
        )
        target = f"{target}{t('list.separator')}{years}"
    return (
        f'<div class="tile" data-target="{escape(goal["target_id"])}">'
        f"<b>{escape(goal_indicator(goal))}</b><br>"
        f'<span class="tile-latest">{latest}</span> '
        f"{escape(t('overview.latest_year', year=year))}<br>{trend}<br>{escape(target)}<br>"
        f"{badge(goal['progress_status'])} <small>{escape(stage)}</small><br>{details}</div>"
    )


def plan_tiles(conn: data.Published, plan_id: str, targets: pd.DataFrame) -> list[str]:
    """The tiles of one plan's `targets`, in registry order."""
    series = status_data.plan_series(conn, plan_id)
    by_target = dict(tuple(series.groupby("target_id")))
    empty = series.iloc[0:0]
    return [
        tile(goal, by_target.get(goal["target_id"], empty)) for goal in targets.to_dict("records")
    ]


def show_tiles(tiles: list[str]) -> None:
    """The tiles in rows of three, bordered as Streamlit borders a container, drawn as one
    element: a row of columns of containers costs the browser a message per box."""
    st.markdown(f'<div class="tile-grid">{"".join(tiles)}</div>', unsafe_allow_html=True)


def task_table(tasks: pd.DataFrame) -> pd.DataFrame:
    """Tasks and safeguards: title, kind, verdict, and units done out of units in charge."""
    frame = localized(tasks, "target_label")
    return pd.DataFrame(
        {
            "measure_title": frame["target_label"],
            "goal_group": [code_label("goal_group", group) for group in frame["goal_group"]],
            "status": [code_label("progress_status", code) for code in frame["progress_status"]],
            "completed_units": [
                t("overview.units_done", done=whole(done), of=whole(of))
                for done, of in zip(
                    frame["completed_pairs"], frame["measure_unit_pairs"], strict=True
                )
            ],
        }
    )


def coloured(frame: pd.DataFrame) -> pd.io.formats.style.Styler:
    colours = {code_label("progress_status", code): code for code in STATUSES}

    def style(word: object) -> str:
        code = colours.get(word)
        return "" if code is None else f"background-color: {colour(code)}; color: {ink(code)}"

    return frame.style.map(style, subset=["status"])


def show_table(frame: pd.DataFrame) -> None:
    st.dataframe(styled(frame), hide_index=True, column_config=column_labels(frame.columns))


def show_plans(frame: pd.DataFrame) -> None:
    """The plan table with every plan's name whole: its column wide and its rows tall
    enough for the text to wrap (the grid cuts a long English name on one line), every
    row in view without scrolling."""
    layout = wrapped(frame, WRAPPED_PLAN_COLUMNS)
    st.dataframe(
        styled(frame),
        hide_index=True,
        column_config={**column_labels(frame.columns), **layout.columns},
        row_height=layout.row_height,
        height=layout.height,
    )


def target_table(targets: pd.DataFrame, english_names: dict[tuple[str, str], str]) -> pd.DataFrame:
    frame = localized(targets, "indicator_name", "target_label", "note")
    frame["indicator"] = frame["indicator_name"]
    frame["kind"] = [code_label("target_kind", kind) for kind in frame["target_kind"]]
    frame["target"] = [goal_target(row) for row in frame.to_dict("records")]
    for column in ("lead_departments", "cooperating_departments"):
        frame[column] = [
            department_list(names, region, english_names)
            for names, region in zip(frame[column], frame["region_code"], strict=True)
        ]
    return frame[TARGET_COLUMNS]


def measure_table(
    measures: pd.DataFrame, english_names: dict[tuple[str, str], str]
) -> pd.DataFrame:
    frame = localized(measures, "title", "summary")
    frame["measure_title"] = frame["title"]
    frame["measure_summary"] = frame["summary"]
    frame["responsible_units"] = [
        department_list(units, region, english_names)
        for units, region in zip(frame["responsible_units"], frame["region_code"], strict=True)
    ]
    return frame[MEASURE_COLUMNS]


def show_registry(conn: data.Published, plan_id: str) -> None:
    """What the registry says of one plan: its targets, or its measures."""
    english_names = data.department_names(conn)
    targets = data.plan_targets(conn, plan_id)
    measures = data.plan_measures(conn, plan_id)
    if not targets.empty:
        st.subheader(t("overview.targets"))
        show_table(target_table(targets, english_names))
    if not measures.empty:
        st.subheader(t("overview.measures"))
        show_table(measure_table(measures, english_names))
    if targets.empty and measures.empty:
        st.info(t("overview.no_targets"))


@data.cached
def show_plan(conn: data.Published, plan_id: str, language: str) -> None:
    """One plan's tiles, tasks and registry in the reader's `language` (the one `t`
    reads): the same for every reader, so drawn once per publish, plan and language and
    then replayed by Streamlit's cache (its elements as they were sent, with no frame
    built, styled or serialised again)."""
    goals = status_data.goal_status(conn)
    plan_goals = goals[goals.plan_id == plan_id]
    tasks = plan_goals[plan_goals.goal_group != TARGET_GROUP]
    targets = plan_goals[plan_goals.goal_group == TARGET_GROUP]
    if not targets.empty:
        st.subheader(t("overview.target_tiles"))
        show_tiles(plan_tiles(conn, plan_id, targets))
    if not tasks.empty:
        st.subheader(t("overview.tasks"))
        st.dataframe(
            coloured(task_table(tasks)),
            hide_index=True,
            column_config=column_labels(
                ["measure_title", "goal_group", "status", "completed_units"]
            ),
        )
    show_registry(conn, plan_id)


@st.fragment
def chosen_plan() -> None:
    """The plan selector and what it shows: a fragment, so choosing another plan reruns
    this part of the page only (the scorecard and the plan table stay as they are)."""
    conn = data.connection()
    names = names_by_code(data.plans(conn), "plan_id", "plan_name")
    plan_id = url_choice(PLAN, t("overview.choose_plan"), list(names), names.__getitem__)
    show_plan(conn, plan_id, current_language())


@data.cached
def show_summary(conn: data.Published, language: str) -> None:
    """The date of the verdicts, the scorecard and the plan table in the reader's
    `language`: drawn once per publish and language, then replayed (see `show_plan`)."""
    plans = data.plans(conn)
    st.caption(t("overview.as_of", date=day(data.progress_as_of(conn))))
    st.subheader(t("overview.scorecard"))
    markup = scorecard(plans, status_data.goal_status(conn), status_data.status_counts(conn))
    st.markdown(markup, unsafe_allow_html=True)
    st.caption(t("overview.scorecard_note"))
    st.subheader(t("overview.plans"))
    show_plans(plan_table(plans, data.plan_reviews(conn)))


def render() -> None:
    conn = data.connection()
    st.html(STYLE)
    show_summary(conn, current_language())
    chosen_plan()


render()
