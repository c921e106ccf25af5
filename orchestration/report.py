"""Assessment reports (中期评估 / 总结评估) of one plan as of a date: Word and Excel.

Everything comes from the marts: statuses and their components from `fct_target_progress`
(the rules live in its dbt model; this module only writes them out so an evaluator can
recompute each status by hand), values from `fct_indicator_value`, gaps from
`fct_literacy_gap`, measures from `fct_plan_measure` / `fct_measure_status`, sources from
`fct_load_audit`. Every label is in `LABELS` in both languages; names of plans, regions
and indicators come from the marts' `*_zh` / `*_en` columns.

The same inputs give the same bytes: rows are sorted explicitly, document dates come from
`as_of`, zip members carry a fixed timestamp, and PNGs carry no software tag.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from orchestration.vocabulary import VOCABULARY

CJK_FONT_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FONT_FAMILY = "Noto Sans CJK SC"
BODY_FONT_ZH = "宋体"
HEADING_FONT_ZH = "黑体"
LANGUAGES = ("zh", "en")
KINDS = ("midterm", "final")
FORMATS = ("docx", "xlsx")
LITERACY_INDICATOR = "literacy_ratio"
REPORTED_GAPS = ("male-female", "urban-rural")
DASH = "—"
# fct_target_progress.status_reason of a suppressed latest estimate starts with this.
SUPPRESSED_PREFIX = "latest estimate suppressed: "
# Units whose values are read to two decimals (percent, percentage points, money).
TWO_DECIMAL_UNITS = frozenset({"%", "百分点", "元/人", "万元"})

STATUS_ORDER = (
    "achieved",
    "on_track",
    "accelerate",
    "limited",
    "moving_away",
    "insufficient_data",
    "not_yet_due",
)
STATUS_COLOURS = {
    "achieved": "70AD47",
    "on_track": "C6E0B4",
    "accelerate": "FFC000",
    "limited": "F4A460",
    "moving_away": "FF5050",
    "insufficient_data": "A6A6A6",
    "not_yet_due": "E7E6E6",
}
MEASURE_STATUS_ORDER = ("completed", "in_progress", "not_started", "overdue", "not_reported")
MEASURE_STATUS_COLOURS = {
    "completed": "70AD47",
    "in_progress": "C6E0B4",
    "not_started": "E7E6E6",
    "overdue": "FF5050",
    "not_reported": "A6A6A6",
}

LABELS: dict[str, tuple[str, str]] = {
    **VOCABULARY,
    "kind.midterm": ("中期评估", "Mid-term assessment"),
    "kind.final": ("总结评估", "Final assessment"),
    "report.title": ("{plan}{kind}报告", "{plan}: {kind} report"),
    "cover.issuer": ("发布单位", "Issuer"),
    "cover.region": ("地区", "Region"),
    "cover.period": ("规划期", "Plan period"),
    "cover.review_points": ("评估节点", "Review points"),
    "cover.kind": ("报告类型", "Report"),
    "cover.as_of": ("评估截止日期", "Assessment as of"),
    "cover.vintage": ("数据版本", "Data vintage"),
    "cover.synthetic": (
        "本报告使用合成演示数据，非真实统计，不得作为评估结论引用。",
        "This report uses synthetic demo data, not real statistics; do not cite it as an "
        "assessment.",
    ),
    "section.numbered": ("{number}、{title}", "{number}. {title}"),
    "section.summary": ("评估摘要", "Summary"),
    "section.targets": ("各项目标进展", "Progress of each target"),
    "section.measures": ("措施落实情况", "Implementation of measures"),
    "section.sources": ("数据来源", "Data sources"),
    "section.annex": ("附录：方法说明", "Annex: methods"),
    "summary.counts": ("共 {n} 项量化目标：{parts}。", "{n} quantitative targets: {parts}."),
    "summary.count_part": ("{status} {count} 项", "{status}: {count}"),
    "summary.no_targets": (
        "该规划未登记量化目标，评估依据为措施落实情况。",
        "The plan registers no quantitative targets; it is assessed on its measures.",
    ),
    "col.target": ("目标", "Target"),
    "col.baseline": ("基线（年份）", "Baseline (year)"),
    "col.latest": ("最新值（年份）", "Latest value (year)"),
    "col.status_note": ("说明", "Note"),
    "col.value_unit": ("数值（{unit}）", "Value ({unit})"),
    "col.unit": ("单位", "Unit"),
    "col.n": ("样本量 n", "n"),
    "col.flag": ("质量标记", "Quality flag"),
    "col.series": ("序列", "Series"),
    "col.standard_error": ("标准误", "Standard error"),
    "col.ci_lower": ("置信下限", "CI lower"),
    "col.ci_upper": ("置信上限", "CI upper"),
    "col.symbol": ("符号", "Symbol"),
    "col.meaning": ("含义", "Meaning"),
    "col.gap": ("差距（百分点）", "Gap (percentage points)"),
    "col.wave": ("调查批次", "Survey wave"),
    "col.unit_responsible": ("责任单位", "Responsible unit"),
    "col.reported_on": ("报告日期", "Reported on"),
    "col.count": ("数量", "Count"),
    "col.share": ("占比", "Share"),
    "col.load_id": ("批次号", "Load"),
    "col.file_name": ("文件", "File"),
    "col.sha12": ("SHA-256（前12位）", "SHA-256 (first 12)"),
    "col.sha256": ("SHA-256", "SHA-256"),
    "col.sheet": ("工作表", "Sheet"),
    "col.table": ("数据表", "Table"),
    "col.rows": ("接收行数", "Rows accepted"),
    "col.synthetic": ("合成数据", "Synthetic"),
    "col.target_progress_id": ("进展记录编号", "Progress record"),
    "col.target_id": ("目标编号", "Target ID"),
    "col.indicator_code": ("指标代码", "Indicator code"),
    "col.indicator_name_zh": ("指标名称（中文）", "Indicator (Chinese)"),
    "col.indicator_name_en": ("指标名称（英文）", "Indicator (English)"),
    "col.region_code": ("地区代码", "Region code"),
    "col.target_kind": ("目标类型", "Target kind"),
    "col.comparator": ("比较方式", "Comparator"),
    "col.target_value": ("目标值", "Target value"),
    "col.target_value_upper": ("目标上限", "Target upper bound"),
    "col.tolerance": ("容差（左右）", "Tolerance (about)"),
    "col.target_label_zh": ("目标表述（中文）", "Target (Chinese)"),
    "col.target_label_en": ("目标表述（英文）", "Target (English)"),
    "col.direction": ("期望方向", "Desired direction"),
    "col.as_of_date": ("评估截止日期", "As of"),
    "col.progress_method": ("判定方法", "Method"),
    "col.latest_quality_flag": ("最新值质量标记", "Latest quality flag"),
    "col.latest_ci_lower": ("最新值置信下限", "Latest CI lower"),
    "col.latest_ci_upper": ("最新值置信上限", "Latest CI upper"),
    "col.is_target_inside_ci": ("目标值在置信区间内", "Target inside CI"),
    "col.period_start": ("规划期起", "Period start"),
    "col.period_end": ("规划期止", "Period end"),
    "col.cagr_observed": ("实际年均增长率", "Observed CAGR"),
    "col.cagr_required": ("所需年均增长率", "Required CAGR"),
    "col.progress_ratio": ("进展比 R", "Progress ratio R"),
    "col.share_of_way": ("完成进度", "Share of the way"),
    "col.elapsed_share": ("时间进度", "Elapsed share"),
    "col.expected_to_date": ("按时序应完成", "Expected to date"),
    "col.years_assessed": ("评估年数", "Years assessed"),
    "col.years_met": ("达标年数", "Years met"),
    "col.years_detail": ("逐年情况", "Per-year detail"),
    "col.is_met": ("已达目标", "Target met"),
    "col.progress_status": ("状态代码", "Status code"),
    "col.status_reason": ("状态原因", "Status reason"),
    "col.threshold_on_track": ("顺利阈值", "On-track threshold"),
    "col.threshold_accelerate": ("加快阈值", "Accelerate threshold"),
    "sheet.summary": ("摘要", "Summary"),
    "sheet.progress": ("进展", "Progress"),
    "sheet.values": ("数值", "Values"),
    "sheet.measures": ("措施", "Measures"),
    "sheet.sources": ("数据来源", "Sources"),
    "series.total": ("年度值", "annual value"),
    "series.cumulative": ("期间累计", "running total"),
    "gap.male-female": ("男性 − 女性", "men − women"),
    "gap.urban-rural": ("城镇 − 农村", "urban − rural"),
    "reason.the plan period has not started": ("规划期尚未开始", "the plan period has not started"),
    "reason.no value for this target up to the as-of date": (
        "截至评估日无该目标的数值",
        "no value for this target up to the as-of date",
    ),
    "reason.fewer than two data points": ("数据点少于两个", "fewer than two data points"),
    "reason.latest estimate suppressed: ": ("最新估计不宜发布：", "latest estimate suppressed: "),
    "reason.no respondents in this domain": ("该组无受访者", "no respondents in this domain"),
    "reason.no variance: a stratum has one PSU and lonely_psu = fail": (
        "无法估计方差：某层只有一个初级抽样单元",
        "no variance: a stratum has one PSU and lonely_psu = fail",
    ),
    "reason.effective sample size below 30": (
        "有效样本量低于30",
        "effective sample size below 30",
    ),
    "reason.confidence interval width 30 points or more": (
        "置信区间宽度达到30个百分点及以上",
        "confidence interval width 30 points or more",
    ),
    "reason.relative confidence interval width above 130%": (
        "置信区间相对宽度超过130%",
        "relative confidence interval width above 130%",
    ),
    "reason.fewer than 8 degrees of freedom": ("自由度少于8", "fewer than 8 degrees of freedom"),
    "reason.relative width of the complement above 130%": (
        "补数的置信区间相对宽度超过130%",
        "relative width of the complement above 130%",
    ),
    "value.suppressed": ("{dash}（不宜发布：{reason}）", "{dash} (suppressed: {reason})"),
    "value.with_year": ("{value}（{year}年）", "{value} ({year})"),
    "value.none": ("未登记", "not registered"),
    "target.status": ("状态：{status}", "Status: {status}"),
    "target.no_values": (
        "截至评估日，该指标在本地区没有数值。",
        "The indicator has no values for this region up to the as-of date.",
    ),
    "target.lead": ("牵头部门：{names}", "Lead departments: {names}"),
    "target.cooperating": ("配合部门：{names}", "Cooperating departments: {names}"),
    "target.ci_inside": (
        "目标值 {target} 位于最新估计的95%置信区间 [{lower}, {upper}] 之内：最新值与目标的差异"
        "在抽样误差范围内。",
        "The target {target} lies inside the latest estimate's 95% CI [{lower}, {upper}]: "
        "the latest value is not distinguishable from the target within sampling error.",
    ),
    "target.ci_outside": (
        "目标值 {target} 不在最新估计的95%置信区间 [{lower}, {upper}] 之内。",
        "The target {target} lies outside the latest estimate's 95% CI [{lower}, {upper}].",
    ),
    "target.gaps": (
        "分组差距（{year}年及以前的最新调查）",
        "Group gaps (latest wave up to {year})",
    ),
    "target.no_gaps": (
        "截至评估日无分组差距估计。",
        "No group gap estimates up to the as-of date.",
    ),
    "component.method": ("判定方法", "method"),
    "component.y0": ("基线值", "baseline value"),
    "component.t0": ("基线年份", "baseline year"),
    "component.yt": ("最新值", "latest value"),
    "component.t": ("最新年份", "latest year"),
    "component.yT": ("目标值", "target value"),
    "component.T": ("目标年份", "target year"),
    "component.cagr_obs": ("实际年均增长率", "observed compound annual growth"),
    "component.cagr_req": ("所需年均增长率", "required compound annual growth"),
    "component.r_growth": ("进展比", "progress ratio"),
    "component.r_decrease": ("（期望下降，符号取反）", " (decrease desired: sign flipped)"),
    "component.share_of_way": ("完成进度 (y_t − y₀)/(y_T − y₀)", "share of the way"),
    "component.period": ("规划期", "plan period"),
    "component.total": ("截至最新年份的累计值", "running total to the latest year"),
    "component.elapsed": ("时间进度", "elapsed share of the period"),
    "component.expected": ("按时序应完成量", "expected to date"),
    "component.r_pro_rata": ("进展比", "progress ratio"),
    "component.years_assessed": ("评估年数", "years assessed"),
    "component.years_met": ("达标年数", "years met"),
    "component.r_years": ("达标年份占比", "share of years met"),
    "component.detail": ("逐年情况", "per-year detail"),
    "component.thresholds": ("判定阈值", "thresholds"),
    "component.result": ("判定结果", "result"),
    "thresholds.text": (
        "R ≥ {on}：进展顺利；{acc} ≤ R < {on}：需加快进度；0 ≤ R < {acc}：进展有限；"
        "R < 0：偏离目标",
        "R ≥ {on}: on track; {acc} ≤ R < {on}: must accelerate; 0 ≤ R < {acc}: limited; "
        "R < 0: moving away",
    ),
    "result.met": ("最新值 {value} 满足目标 {label}", "latest value {value} meets {label}"),
    "result.annual_met": (
        "规划期已结束且 {met}/{assessed} 年均达标",
        "the period is over and {met} of {assessed} years were met",
    ),
    "result.on_track": ("R = {r} ≥ {on}", "R = {r} ≥ {on}"),
    "result.accelerate": ("{acc} ≤ R = {r} < {on}", "{acc} ≤ R = {r} < {on}"),
    "result.limited": ("0 ≤ R = {r} < {acc}", "0 ≤ R = {r} < {acc}"),
    "result.moving_away": ("R = {r} < 0", "R = {r} < 0"),
    "review.midterm": ("中期评估", "mid-term assessment"),
    "review.final": ("总结评估", "final assessment"),
    "year.met": ("达标", "met"),
    "year.missed": ("未达标", "missed"),
    "chart.target": ("目标 {label}", "Target {label}"),
    "chart.baseline": ("基线 {value}（{year}年）", "Baseline {value} ({year})"),
    "chart.ci": ("95%置信区间", "95% CI"),
    "chart.suppressed": ("不宜发布（不显示数值）", "suppressed (value withheld)"),
    "chart.year": ("年份", "Year"),
    "measures.summary": (
        "共 {measures} 项措施、{pairs} 个“措施×责任单位”：已完成 {completed}（{completed_share}），"
        "逾期 {overdue}（{overdue_share}）。",
        "{measures} measures, {pairs} measure × unit pairs: {completed} completed "
        "({completed_share}), {overdue} overdue ({overdue_share}).",
    ),
    "measures.by_status": ("按状态统计", "By status"),
    "measures.table": ("措施与责任单位的最新状态", "Latest status of each measure and unit"),
    "sources.intro": (
        "以下为入库时校验通过的全部数据文件（按批次号排序）。",
        "Every file accepted at load time, by load id.",
    ),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "annex.growth_ratio": (
        "水平值目标（增长率比较法，Open SDG / 加拿大统计局）：实际年均增长率 "
        "CAGR_obs = (y_t / y₀)^(1/(t − t₀)) − 1，所需年均增长率 "
        "CAGR_req = (y_T / y₀)^(1/(T − t₀)) − 1，"
        "进展比 R = CAGR_obs / |CAGR_req|（期望下降的指标符号取反）。数值为0时以 1e-6 代替；"
        "至少需要基线和一个后续年份的数值。完成进度 (y_t − y₀)/(y_T − y₀) 一并列出。",
        "Level targets (growth ratio, Open SDG / Statistics Canada): observed growth "
        "CAGR_obs = (y_t / y₀)^(1/(t − t₀)) − 1, required growth CAGR_req = "
        "(y_T / y₀)^(1/(T − t₀)) − 1, ratio R = CAGR_obs / |CAGR_req| (sign flipped when a "
        "decrease is desired). Zero values are replaced by 1e-6; a baseline and one later "
        "value are needed. The share of the way (y_t − y₀)/(y_T − y₀) is shown alongside.",
    ),
    "annex.pro_rata": (
        "期间累计目标（时序进度法）：时间进度 = (t − 起始年 + 1)/(终止年 − 起始年 + 1)（不超过1），"
        "按时序应完成量 = 目标 × 时间进度，进展比 R = 累计值 / 应完成量。",
        "Cumulative targets (pro-rata): elapsed share = (t − start + 1)/(end − start + 1), at "
        "most 1; expected to date = target × elapsed share; R = running total / expected.",
    ),
    "annex.years_met": (
        "每年目标（逐年达标法）：逐年判断达标与否；规划期结束且每年均达标为“已达成”，"
        "否则 R = 达标年数 / 评估年数。",
        "Annual targets (years met): each year is met or missed; every year met over a "
        "finished period is achieved, otherwise R = years met / years assessed.",
    ),
    "annex.bands": (
        "判定区间：已满足目标为“已达成”；{thresholds}。规划期未开始为“尚未到期”；"
        "最新值缺失、不宜发布或数据点不足为“数据不足”。",
        "Bands: a target already met is achieved; {thresholds}. Before the period starts: "
        "not yet due; a missing or suppressed latest value or too few points: insufficient "
        "data.",
    ),
    "annex.comparators": (
        "比较方式：≥、>、≤、< 按字面判断；“左右”（≈）在登记的容差内视为达成，|y − 目标| ≤ 容差；"
        "区间目标（如3–4个）在上下限之内（含端点）视为达成。",
        "Comparators: ≥, >, ≤, < literally; “about” (≈) is met within the registry's "
        "tolerance, |y − target| ≤ tolerance; a range (such as 3–4) is met inside its bounds, "
        "ends included.",
    ),
    "annex.survey": (
        "调查估计：按复杂抽样设计加权估计比例（泰勒线性化方差），95%置信区间为 logit 区间；"
        "分组差距的标准误按差值的线性化计算。",
        "Survey estimates: design-weighted proportions with Taylor-linearised variance; the "
        "95% CI is the logit interval; a group gap has the linearised SE of the difference.",
    ),
    "annex.nchs": (
        "发布标准（NCHS 2017 比例估计标准）：有效样本量 n_eff = p(1 − p)/SE²（不超过实际样本量）"
        "低于30不宜发布；Korn–Graubard 置信区间宽度 ≤ 0.05 可发布；宽度 ≥ 0.30 不宜发布；"
        "宽度/p > 130% 不宜发布；宽度/(1 − p) > 130% 需注意；自由度 < 8 待复核。"
        "不宜发布的数值在本报告中一律显示为“—”并注明原因。",
        "Presentation (NCHS 2017 proportion standard): suppress when the effective sample "
        "size n_eff = p(1 − p)/SE² (at most n) is below 30; present when the Korn–Graubard "
        "CI width is at most 0.05; suppress when the width is 0.30 or more or width/p exceeds "
        "130%; flag when width/(1 − p) exceeds 130%; review when df < 8. A suppressed value "
        "appears in this report only as “—” with its reason.",
    ),
}


def render_assessment(
    con: duckdb.DuckDBPyConnection,
    *,
    plan_id: str,
    as_of: date,
    kind: str,
    lang: str,
    out_dir: Path,
    formats: Sequence[str] = ("docx", "xlsx"),
    vintage_note: str,
) -> list[Path]:
    """Write the assessment report of `plan_id` as of `as_of`; return the files written.

    `con` reads the marts (published snapshot, or the warehouse with `marts` as its
    schema); `fct_target_progress` must have been built for `as_of`.
    """
    for name, value, allowed in (("kind", kind, KINDS), ("lang", lang, LANGUAGES)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"formats must be among {', '.join(FORMATS)}, not {unknown}")
    data = _read(con, plan_id, as_of)
    context = _Context(data, lang, kind, as_of, vintage_note)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{plan_id}_{kind}_{as_of.isoformat()}_{lang}"
    writers = {"docx": _write_docx, "xlsx": _write_xlsx}
    paths = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        writers[fmt](context, path)
        paths.append(path)
    return paths


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _ReportData:
    plan: dict[str, Any]
    targets: list[dict[str, Any]]
    progress_columns: list[str]
    values: dict[str, list[dict[str, Any]]]
    gaps: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    loads: list[dict[str, Any]]
    is_synthetic: bool
    thresholds: tuple[float, float] | None
    cutoff_year: int


def _read(con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date) -> _ReportData:
    """Everything the report shows, each list in an explicit order."""
    plans = _rows(con, "select * from dim_plan where plan_id = ?", [plan_id])
    if not plans:
        known = [r["plan_id"] for r in _rows(con, "select plan_id from dim_plan order by 1")]
        raise ValueError(f"no plan {plan_id!r} in dim_plan; plans: {', '.join(known)}")
    plan = plans[0]
    progress = con.execute(
        "select * from fct_target_progress where plan_id = ? and as_of_date = ? "
        "and target_kind <> 'qualitative' order by target_id",
        [plan_id, as_of],
    )
    columns = [d[0] for d in progress.description]
    targets = [_plain(dict(zip(columns, row, strict=True))) for row in progress.fetchall()]
    if not targets and (plan["target_count"] or 0) > 0:
        built = _rows(
            con,
            "select distinct as_of_date from fct_target_progress where plan_id = ? order by 1",
            [plan_id],
        )
        dates = ", ".join(str(r["as_of_date"]) for r in built) or "no date"
        raise ValueError(
            f"fct_target_progress holds plan {plan_id} as of {dates}, not {as_of}: build the "
            f"marts with the dbt var as_of = {as_of} before rendering this assessment"
        )
    # Years counted, as in fct_target_progress: up to the as-of year and, for a finished
    # plan, not beyond its own period.
    cutoff = min(as_of.year, plan["period_end"] or as_of.year)
    return _ReportData(
        plan=plan,
        targets=targets,
        progress_columns=columns,
        values=_values(con, plan_id, as_of),
        gaps=_gaps(con, plan["region_code"], cutoff),
        measures=_measures(con, plan_id),
        loads=_rows(
            con,
            "select load_id, file_name, file_sha256, sheet_name, table_name, rows_accepted, "
            "is_synthetic from fct_load_audit where load_status = 'accepted' "
            "order by load_id, table_name, sheet_name",
        ),
        is_synthetic=_is_synthetic(con),
        thresholds=_thresholds(con, plan_id, as_of),
        cutoff_year=cutoff,
    )


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [_plain(dict(zip(columns, row, strict=True))) for row in cursor.fetchall()]


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """Decimals (the threshold columns) as floats, so formatting treats all numbers alike."""
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def _values(con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date) -> dict[str, list]:
    # The years each status was judged on (see the cutoff in `_read`), target by target.
    rows = _rows(
        con,
        """
        select
            t.target_id, v.year, v.group_dimension, v.value, v.unit_zh, v.unit_en,
            v.standard_error, v.ci_lower, v.ci_upper, v.sample_size, v.quality_flag,
            v.quality_reason
        from fct_target_progress as t
        inner join fct_indicator_value as v
            on v.indicator_code = t.indicator_code
            and v.region_code = t.region_code
            and v.group_dimension = case
                when t.target_kind = 'cumulative' then 'cumulative' else 'total' end
        where t.plan_id = ? and t.as_of_date = ?
            and v.year <= least(year(t.as_of_date), coalesce(t.period_end, t.target_year, 9999))
        order by t.target_id, v.year
        """,
        [plan_id, as_of],
    )
    values: dict[str, list] = {}
    for row in rows:
        values.setdefault(row["target_id"], []).append(row)
    return values


def _gaps(con: duckdb.DuckDBPyConnection, region_code: str, cutoff_year: int) -> list:
    return _rows(
        con,
        """
        select wave_id, survey_year, gap_label, gap, standard_error, ci_lower, ci_upper,
            quality_flag
        from fct_literacy_gap
        where region_code = ? and survey_year <= ? and gap_label in (?, ?)
        qualify row_number() over (
            partition by gap_label order by survey_year desc, wave_id desc) = 1
        order by gap_label
        """,
        [region_code, cutoff_year, *REPORTED_GAPS],
    )


def _measures(con: duckdb.DuckDBPyConnection, plan_id: str) -> list:
    # Units in the order the plan lists them (the lead unit first).
    return _rows(
        con,
        """
        select m.measure_id, m.measure_no, m.title_zh, m.title_en, s.department_name_zh,
            coalesce(s.measure_status, 'not_reported') as measure_status,
            s.reporting_period, s.reported_on, s.evidence, s.document_ref
        from fct_plan_measure as m
        left join fct_measure_status as s on m.measure_id = s.measure_id
        where m.plan_id = ?
        order by m.measure_no, m.measure_id,
            coalesce(list_position(string_split(m.responsible_units, '；'),
                s.department_name_zh), 1000),
            s.department_name_zh
        """,
        [plan_id],
    )


def _thresholds(
    con: duckdb.DuckDBPyConnection, plan_id: str, as_of: date
) -> tuple[float, float] | None:
    """(on track, accelerate) as the progress mart states them, preferring this plan's rows
    and this date: a plan without targets still gets them for the methods annex."""
    row = con.execute(
        "select threshold_on_track, threshold_accelerate from fct_target_progress "
        "where threshold_on_track is not null "
        "order by plan_id = ? desc, as_of_date = ? desc, target_progress_id limit 1",
        [plan_id, as_of],
    ).fetchone()
    return (float(row[0]), float(row[1])) if row else None


def _is_synthetic(con: duckdb.DuckDBPyConnection) -> bool:
    loads = con.execute(
        "select coalesce(bool_or(is_synthetic), false) from fct_load_audit "
        "where load_status = 'accepted'"
    ).fetchone()[0]
    try:
        snapshot = con.execute(
            "select coalesce(bool_or(is_synthetic), false) from snapshot_info"
        ).fetchone()[0]
    except duckdb.CatalogException:  # a warehouse copy has no snapshot_info
        snapshot = False
    return bool(loads or snapshot)


# --- wording and numbers ---------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    data: _ReportData
    lang: str
    kind: str
    as_of: date
    vintage_note: str

    def t(self, key: str, **fields: Any) -> str:
        text = LABELS[key][LANGUAGES.index(self.lang)]
        return text.format(**fields) if fields else text

    def name(self, row: dict[str, Any], column: str) -> str:
        return row.get(f"{column}_{self.lang}") or row.get(f"{column}_zh") or ""

    def reason(self, text: str | None) -> str:
        if not text:
            return ""
        if text.startswith(SUPPRESSED_PREFIX):
            rest = text[len(SUPPRESSED_PREFIX) :]
            return self.t(f"reason.{SUPPRESSED_PREFIX}") + self.reason(rest)
        key = f"reason.{text}"
        return self.t(key) if key in LABELS else text

    def paren(self, text: object) -> str:
        return f"（{text}）" if self.lang == "zh" else f" ({text})"

    def status(self, code: str) -> str:
        return self.t(f"status.{code}")

    def measure_status(self, code: str) -> str:
        return self.t(f"measure_status.{code}")

    def list_text(self, joined: str | None) -> str:
        if not joined:
            return self.t("value.none")
        return self.t("list.separator").join(joined.split("；"))

    @property
    def title(self) -> str:
        return self.t(
            "report.title", plan=self.name(self.data.plan, "plan_name"), kind=self.kind_text
        )

    @property
    def kind_text(self) -> str:
        return self.t(f"kind.{self.kind}")


def _target_unit(ctx: _Context, target: dict[str, Any]) -> str | None:
    rows = ctx.data.values.get(target["target_id"], [])
    return rows[0]["unit_zh"] if rows else None


def _decimals(unit: str | None, value: float) -> int:
    if unit in TWO_DECIMAL_UNITS:
        return 2
    return 0 if float(value).is_integer() else 2


def _num(value: float | None, unit: str | None) -> str:
    if value is None:
        return DASH
    return f"{value:.{_decimals(unit, value)}f}"


def _ratio(value: float | None) -> str:
    return DASH if value is None else f"{value:.3f}"


def _pct(value: float | None, decimals: int = 1) -> str:
    return DASH if value is None else f"{value * 100:.{decimals}f}%"


def _threshold(value: float) -> str:
    return f"{value:.2f}"


def _with_year(ctx: _Context, value: str, year: int | None) -> str:
    if value == DASH or year is None:
        return value
    return ctx.t("value.with_year", value=value, year=year)


def _latest_text(ctx: _Context, target: dict[str, Any]) -> str:
    unit = _target_unit(ctx, target)
    if target["latest_quality_flag"] == "suppress":
        rows = ctx.data.values.get(target["target_id"], [])
        reason = rows[-1]["quality_reason"] if rows else None
        suppressed = ctx.t("value.suppressed", dash=DASH, reason=ctx.reason(reason))
        return _with_year(ctx, suppressed, target["latest_year"])
    return _with_year(ctx, _num(target["latest_value"], unit), target["latest_year"])


def _baseline_text(ctx: _Context, target: dict[str, Any]) -> str:
    unit = _target_unit(ctx, target)
    return _with_year(ctx, _num(target["baseline_value"], unit), target["baseline_year"])


def _value_cell_text(ctx: _Context, row: dict[str, Any]) -> str:
    if row["quality_flag"] == "suppress" or row["value"] is None:
        reason = ctx.reason(row["quality_reason"]) or ctx.t("quality.suppress")
        return ctx.t("value.suppressed", dash=DASH, reason=reason)
    return _num(row["value"], row["unit_zh"])


def _ci_text(lower: float | None, upper: float | None, unit: str | None) -> str:
    if lower is None or upper is None:
        return DASH
    return f"[{_num(lower, unit)}, {_num(upper, unit)}]"


def _status_reason(ctx: _Context, target: dict[str, Any]) -> str:
    return ctx.reason(target["status_reason"])


def _result_text(ctx: _Context, target: dict[str, Any]) -> str:
    """How the stored status follows from the stored components."""
    status = target["progress_status"]
    fields = {
        "r": _ratio(target["progress_ratio"]),
        "on": _threshold(target["threshold_on_track"]),
        "acc": _threshold(target["threshold_accelerate"]),
    }
    if status == "achieved" and target["progress_method"] == "years_met":
        why = ctx.t("result.annual_met", met=target["years_met"], assessed=target["years_assessed"])
    elif status == "achieved":
        latest = _num(target["latest_value"], _target_unit(ctx, target))
        why = ctx.t("result.met", value=latest, label=ctx.name(target, "target_label"))
    elif status in ("on_track", "accelerate", "limited", "moving_away"):
        why = ctx.t(f"result.{status}", **fields)
    else:
        why = _status_reason(ctx, target)
    return f"{why} → {ctx.status(status)}"


def _thresholds_text(ctx: _Context, on_track: float, accelerate: float) -> str:
    return ctx.t("thresholds.text", on=_threshold(on_track), acc=_threshold(accelerate))


def _components(ctx: _Context, target: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(symbol, meaning, value) rows from which the status can be recomputed by hand."""
    method = target["progress_method"]
    if method == "growth_ratio":
        rows = _growth_components(ctx, target)
    elif method == "pro_rata":
        rows = _pro_rata_components(ctx, target)
    else:
        rows = _years_met_components(ctx, target)
    return [
        *rows,
        (
            "",
            ctx.t("component.thresholds"),
            _thresholds_text(ctx, target["threshold_on_track"], target["threshold_accelerate"]),
        ),
        ("", ctx.t("component.result"), _result_text(ctx, target)),
    ]


def _growth_components(ctx: _Context, target: dict[str, Any]) -> list[tuple[str, str, str]]:
    unit = _target_unit(ctx, target)
    y0, yt, y_target = (
        _num(target[c], unit) for c in ("baseline_value", "latest_value", "target_value")
    )
    t0, t, t_target = target["baseline_year"], target["latest_year"], target["target_year"]
    cagr_obs, cagr_req = target["cagr_observed"], target["cagr_required"]
    obs = DASH
    if cagr_obs is not None:
        obs = f"({yt} / {y0})^(1/{t - t0}) − 1 = {_pct(cagr_obs, 2)}"
    req = DASH
    if cagr_req is not None:
        req = f"({y_target} / {y0})^(1/{t_target - t0}) − 1 = {_pct(cagr_req, 2)}"
    ratio = DASH
    if target["progress_ratio"] is not None:
        flip = " × (−1)" if target["direction"] == "decrease" else ""
        rates = f"{_pct(cagr_obs, 2)} / |{_pct(cagr_req, 2)}|{flip}"
        ratio = f"{rates} = {_ratio(target['progress_ratio'])}"
    r_meaning = "CAGR_obs / |CAGR_req|" + (
        ctx.t("component.r_decrease") if target["direction"] == "decrease" else ""
    )
    share = DASH
    if target["share_of_way"] is not None:
        share = f"({yt} − {y0}) / ({y_target} − {y0}) = {_pct(target['share_of_way'])}"
    return [
        ("", ctx.t("component.method"), ctx.t("method.growth_ratio")),
        ("y₀", ctx.t("component.y0"), y0),
        ("t₀", ctx.t("component.t0"), _year(t0)),
        ("y_t", ctx.t("component.yt"), _latest_component(ctx, target)),
        ("t", ctx.t("component.t"), _year(t)),
        ("y_T", ctx.t("component.yT") + ctx.paren(ctx.name(target, "target_label")), y_target),
        ("T", ctx.t("component.T"), _year(t_target)),
        ("CAGR_obs", ctx.t("component.cagr_obs"), obs),
        ("CAGR_req", ctx.t("component.cagr_req"), req),
        ("R", f"{ctx.t('component.r_growth')} {r_meaning}", ratio),
        ("", ctx.t("component.share_of_way"), share),
    ]


def _pro_rata_components(ctx: _Context, target: dict[str, Any]) -> list[tuple[str, str, str]]:
    unit = _target_unit(ctx, target)
    start, end, t = target["period_start"], target["period_end"], target["latest_year"]
    elapsed = _pct(target["elapsed_share"])
    if target["elapsed_share"] is not None and t is not None:
        elapsed = f"min(1, ({t} − {start} + 1) / ({end} − {start} + 1)) = {elapsed}"
    expected = DASH
    if target["expected_to_date"] is not None:
        expected = (
            f"{_num(target['target_value'], unit)} × {_pct(target['elapsed_share'])} = "
            f"{_num(target['expected_to_date'], unit)}"
        )
    ratio = DASH
    if target["progress_ratio"] is not None:
        ratio = (
            f"{_num(target['latest_value'], unit)} / {_num(target['expected_to_date'], unit)}"
            f" = {_ratio(target['progress_ratio'])}"
        )
    return [
        ("", ctx.t("component.method"), ctx.t("method.pro_rata")),
        ("", ctx.t("component.period"), f"{start}–{end}"),
        (
            "y_T",
            ctx.t("component.yT") + ctx.paren(ctx.name(target, "target_label")),
            _num(target["target_value"], unit),
        ),
        ("t", ctx.t("component.t"), _year(t)),
        ("Σ", ctx.t("component.total"), _latest_component(ctx, target)),
        ("e", ctx.t("component.elapsed"), elapsed),
        ("E", ctx.t("component.expected"), expected),
        ("R", f"{ctx.t('component.r_pro_rata')} Σ / E", ratio),
    ]


def _latest_component(ctx: _Context, target: dict[str, Any]) -> str:
    """The latest value as a number, or the dash and the reason when it is suppressed."""
    if target["latest_quality_flag"] == "suppress":
        return _latest_text(ctx, target)
    return _num(target["latest_value"], _target_unit(ctx, target))


def _years_met_components(ctx: _Context, target: dict[str, Any]) -> list[tuple[str, str, str]]:
    met, assessed = target["years_met"], target["years_assessed"]
    ratio = DASH
    if target["progress_ratio"] is not None:
        ratio = f"{met} / {assessed} = {_ratio(target['progress_ratio'])}"
    return [
        ("", ctx.t("component.method"), ctx.t("method.years_met")),
        ("", ctx.t("component.period"), f"{target['period_start']}–{target['period_end']}"),
        ("", ctx.t("component.years_assessed"), DASH if assessed is None else str(assessed)),
        ("", ctx.t("component.years_met"), DASH if met is None else str(met)),
        ("R", ctx.t("component.r_years"), ratio),
        ("", ctx.t("component.detail"), _years_detail(ctx, target["years_detail"])),
    ]


def _years_detail(ctx: _Context, detail: str | None) -> str:
    if not detail:
        return DASH
    words = []
    for item in detail.split(", "):
        year, outcome = item.rsplit(" ", 1)
        words.append(f"{year} {ctx.t(f'year.{outcome}')}")
    return ctx.t("list.separator").join(words)


def _review_points(ctx: _Context, points: str | None) -> str:
    """dim_plan.review_points ('2023 midterm; 2025 final') in the report's language."""
    if not points:
        return DASH
    words = []
    for point in points.split("; "):
        year, kind = point.split(" ", 1)
        key = f"review.{kind}"
        words.append(f"{year} {ctx.t(key) if key in LABELS else kind}")
    return ctx.t("list.separator").join(words)


def _year(year: int | None) -> str:
    return DASH if year is None else str(year)


def _period_text(plan: dict[str, Any]) -> str:
    return f"{plan['period_start']}–{plan['period_end'] or ''}"


def _status_counts_text(ctx: _Context) -> str:
    counts = {s: 0 for s in STATUS_ORDER}
    for target in ctx.data.targets:
        counts[target["progress_status"]] += 1
    parts = [
        ctx.t("summary.count_part", status=ctx.status(s), count=n) for s, n in counts.items() if n
    ]
    sep = "，" if ctx.lang == "zh" else ", "
    return ctx.t("summary.counts", n=len(ctx.data.targets), parts=sep.join(parts))


def _measure_counts(measures: list[dict[str, Any]]) -> dict[str, int]:
    counts = {s: 0 for s in MEASURE_STATUS_ORDER}
    for row in measures:
        counts[row["measure_status"]] += 1
    return counts


def _measures_summary_text(ctx: _Context) -> str:
    measures = ctx.data.measures
    counts = _measure_counts(measures)
    pairs = len(measures)
    return ctx.t(
        "measures.summary",
        measures=len({m["measure_id"] for m in measures}),
        pairs=pairs,
        completed=counts["completed"],
        completed_share=_pct(counts["completed"] / pairs),
        overdue=counts["overdue"],
        overdue_share=_pct(counts["overdue"] / pairs),
    )


def _gap_rows(ctx: _Context) -> list[list[str]]:
    rows = []
    for gap in sorted(ctx.data.gaps, key=lambda g: REPORTED_GAPS.index(g["gap_label"])):
        suppressed = gap["quality_flag"] == "suppress"
        value = DASH if suppressed else _num(gap["gap"] * 100, "百分点")
        ci = DASH
        if not suppressed and gap["ci_lower"] is not None:
            ci = _ci_text(gap["ci_lower"] * 100, gap["ci_upper"] * 100, "百分点")
        rows.append(
            [
                ctx.t(f"gap.{gap['gap_label']}"),
                gap["wave_id"] + ctx.paren(gap["survey_year"]),
                value,
                ci,
                ctx.t(f"quality.{gap['quality_flag']}"),
            ]
        )
    return rows


# --- chart -----------------------------------------------------------------------------


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


def _chart_png(ctx: _Context, target: dict[str, Any], rows: list[dict[str, Any]]) -> bytes:
    """Values by year with CI bars, the target dashed, the baseline marked; PNG bytes."""
    unit = rows[0]["unit_zh"]
    unit_label = rows[0][f"unit_{ctx.lang}"] or unit
    with rc_context({"font.family": [_cjk_family()], "axes.unicode_minus": False}):
        fig = Figure(figsize=(7.0, 3.8), dpi=150)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        shown = [r for r in rows if r["value"] is not None and r["quality_flag"] != "suppress"]
        ax.plot(
            [r["year"] for r in shown],
            [r["value"] for r in shown],
            marker="o",
            color="#1F4E79",
            label=ctx.t(f"series.{rows[0]['group_dimension']}"),
        )
        with_ci = [r for r in shown if r["ci_lower"] is not None and r["ci_upper"] is not None]
        if with_ci:
            ax.errorbar(
                [r["year"] for r in with_ci],
                [r["value"] for r in with_ci],
                yerr=[
                    [r["value"] - r["ci_lower"] for r in with_ci],
                    [r["ci_upper"] - r["value"] for r in with_ci],
                ],
                fmt="none",
                ecolor="#5B9BD5",
                capsize=4,
                label=ctx.t("chart.ci"),
            )
        _draw_target(ctx, ax, target)
        if target["baseline_value"] is not None and target["baseline_year"] is not None:
            ax.plot(
                [target["baseline_year"]],
                [target["baseline_value"]],
                marker="D",
                markersize=8,
                linestyle="none",
                color="#7F7F7F",
                label=ctx.t(
                    "chart.baseline",
                    value=_num(target["baseline_value"], unit),
                    year=target["baseline_year"],
                ),
            )
        suppressed = [r["year"] for r in rows if r not in shown]
        if suppressed:
            ax.plot(
                suppressed,
                [0.03] * len(suppressed),
                marker="x",
                markersize=9,
                linestyle="none",
                color="#C00000",
                transform=ax.get_xaxis_transform(),
                label=ctx.t("chart.suppressed"),
            )
        years = [r["year"] for r in rows] + [
            y for y in (target["baseline_year"], target["target_year"]) if y is not None
        ]
        ax.set_xlim(min(years) - 0.5, max(years) + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(ctx.name(target, "indicator_name"), fontsize=11)
        ax.set_xlabel(ctx.t("chart.year"))
        ax.set_ylabel(unit_label)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _draw_target(ctx: _Context, ax: Any, target: dict[str, Any]) -> None:
    label = ctx.t("chart.target", label=ctx.name(target, "target_label"))
    value = target["target_value"]
    if target["comparator"] == "range" and target["target_value_upper"] is not None:
        ax.axhspan(value, target["target_value_upper"], color="#C00000", alpha=0.08)
        ax.axhline(target["target_value_upper"], linestyle="--", color="#C00000")
    elif target["comparator"] == "approx" and target["tolerance"]:
        tolerance = target["tolerance"]
        ax.axhspan(value - tolerance, value + tolerance, color="#C00000", alpha=0.08)
    ax.axhline(value, linestyle="--", color="#C00000", label=label)


# --- Word ------------------------------------------------------------------------------


def _write_docx(ctx: _Context, path: Path) -> None:
    document = Document()
    _setup_document(ctx, document)
    _docx_cover(ctx, document)
    sections = ["section.summary"]
    sections += ["section.targets"] if ctx.data.targets else []
    sections += ["section.measures"] if ctx.data.measures else []
    sections += ["section.sources"]
    numerals = "一二三四五" if ctx.lang == "zh" else "12345"
    heading = {
        key: ctx.t("section.numbered", number=numeral, title=ctx.t(key))
        for key, numeral in zip(sections, numerals, strict=False)
    }
    document.add_heading(heading["section.summary"], level=1)
    _docx_summary(ctx, document)
    if ctx.data.targets:
        document.add_heading(heading["section.targets"], level=1)
        for number, target in enumerate(ctx.data.targets, start=1):
            _docx_target(ctx, document, number, target)
    if ctx.data.measures:
        document.add_heading(heading["section.measures"], level=1)
        _docx_measures(ctx, document)
    document.add_heading(heading["section.sources"], level=1)
    _docx_sources(ctx, document)
    document.add_heading(ctx.t("section.annex"), level=1)
    _docx_annex(ctx, document)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_fixed_zip_times(buffer.getvalue(), ctx.as_of))


def _setup_document(ctx: _Context, document: Any) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))
    _east_asian_font(document.styles["Normal"], BODY_FONT_ZH)
    document.styles["Normal"].font.size = Pt(10.5)
    for style in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        _east_asian_font(document.styles[style], HEADING_FONT_ZH)
    moment = datetime(ctx.as_of.year, ctx.as_of.month, ctx.as_of.day)
    core = document.core_properties
    core.title = ctx.title
    core.author = "Kepu Monitor"
    core.last_modified_by = "Kepu Monitor"
    core.created = moment
    core.modified = moment
    core.last_printed = moment
    core.revision = 1
    core.comments = ctx.vintage_note


def _east_asian_font(style: Any, font: str) -> None:
    """Name the East Asian font explicitly; theme fonts would otherwise win in Word."""
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
    fonts.set(qn("w:eastAsia"), font)


def _fixed_zip_times(package: bytes, as_of: date) -> bytes:
    """The same package with every member dated `as_of` (python-docx stamps the clock)."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, (as_of.year, as_of.month, as_of.day, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _docx_cover(ctx: _Context, document: Any) -> None:
    plan = ctx.data.plan
    document.add_paragraph(ctx.name(plan, "plan_name"), style="Title")
    subtitle = document.add_paragraph()
    run = subtitle.add_run(ctx.kind_text)
    run.bold = True
    run.font.size = Pt(16)
    lines = [
        ("cover.issuer", ctx.name(plan, "issuer")),
        ("cover.region", ctx.name(plan, "region_name") + ctx.paren(plan["region_code"])),
        ("cover.period", _period_text(plan)),
        ("cover.review_points", _review_points(ctx, plan["review_points"])),
        ("cover.kind", ctx.kind_text),
        ("cover.as_of", ctx.as_of.isoformat()),
        ("cover.vintage", ctx.vintage_note),
    ]
    colon = "：" if ctx.lang == "zh" else ": "
    for key, value in lines:
        paragraph = document.add_paragraph()
        paragraph.add_run(ctx.t(key) + colon).bold = True
        paragraph.add_run(str(value))
    if ctx.data.is_synthetic:
        notice = document.add_paragraph().add_run(ctx.t("cover.synthetic"))
        notice.bold = True
        notice.font.size = Pt(12)
        notice.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    document.add_page_break()


def _docx_summary(ctx: _Context, document: Any) -> None:
    if not ctx.data.targets:
        document.add_paragraph(ctx.t("summary.no_targets"))
    else:
        document.add_paragraph(_status_counts_text(ctx))
        header = ["col.indicator", "col.target", "col.baseline", "col.latest", "col.status"]
        rows = [
            [
                ctx.name(t, "indicator_name"),
                ctx.name(t, "target_label"),
                _baseline_text(ctx, t),
                _latest_text(ctx, t),
                ctx.status(t["progress_status"]),
            ]
            for t in ctx.data.targets
        ]
        table = _docx_table(document, [ctx.t(h) for h in header], rows)
        for index, target in enumerate(ctx.data.targets, start=1):
            _shade(table.rows[index].cells[4], STATUS_COLOURS[target["progress_status"]])
    if ctx.data.measures:
        document.add_paragraph(_measures_summary_text(ctx))


def _docx_target(ctx: _Context, document: Any, number: int, target: dict[str, Any]) -> None:
    heading = f"{number}. {ctx.name(target, 'indicator_name')}" + ctx.paren(
        ctx.name(target, "target_label")
    )
    document.add_heading(heading, level=2)
    status = document.add_paragraph()
    status.add_run(ctx.t("target.status", status=ctx.status(target["progress_status"]))).bold = True
    rows = ctx.data.values.get(target["target_id"], [])
    if rows:
        document.add_picture(io.BytesIO(_chart_png(ctx, target, rows)), width=Cm(16))
        unit = rows[0][f"unit_{ctx.lang}"] or rows[0]["unit_zh"]
        header = [
            ctx.t("col.year"),
            ctx.t("col.value_unit", unit=unit),
            ctx.t("col.ci"),
            ctx.t("col.n"),
            ctx.t("col.flag"),
        ]
        _docx_table(document, header, [_docx_value_row(ctx, r) for r in rows])
    else:
        document.add_paragraph(ctx.t("target.no_values"))
    document.add_paragraph()
    _docx_table(
        document,
        [ctx.t("col.symbol"), ctx.t("col.meaning"), ctx.t("col.value")],
        [list(row) for row in _components(ctx, target)],
    )
    if target["latest_ci_lower"] is not None and target["is_target_inside_ci"] is not None:
        unit = _target_unit(ctx, target)
        key = "target.ci_inside" if target["is_target_inside_ci"] else "target.ci_outside"
        document.add_paragraph(
            ctx.t(
                key,
                target=_num(target["target_value"], unit),
                lower=_num(target["latest_ci_lower"], unit),
                upper=_num(target["latest_ci_upper"], unit),
            )
        )
    if target["indicator_code"] == LITERACY_INDICATOR:
        _docx_gaps(ctx, document)
    document.add_paragraph(ctx.t("target.lead", names=ctx.list_text(target["lead_departments"])))
    document.add_paragraph(
        ctx.t("target.cooperating", names=ctx.list_text(target["cooperating_departments"]))
    )


def _docx_value_row(ctx: _Context, row: dict[str, Any]) -> list[str]:
    suppressed = row["quality_flag"] == "suppress"
    ci = DASH if suppressed else _ci_text(row["ci_lower"], row["ci_upper"], row["unit_zh"])
    return [
        str(row["year"]),
        _value_cell_text(ctx, row),
        ci,
        DASH if row["sample_size"] is None else str(row["sample_size"]),
        ctx.t(f"quality.{row['quality_flag']}"),
    ]


def _docx_gaps(ctx: _Context, document: Any) -> None:
    heading = ctx.t("target.gaps", year=ctx.data.cutoff_year)
    document.add_paragraph().add_run(heading).bold = True
    rows = _gap_rows(ctx)
    if not rows:
        document.add_paragraph(ctx.t("target.no_gaps"))
        return
    header = ["col.series", "col.wave", "col.gap", "col.ci", "col.flag"]
    _docx_table(document, [ctx.t(h) for h in header], rows)


def _docx_measures(ctx: _Context, document: Any) -> None:
    document.add_paragraph(_measures_summary_text(ctx))
    counts = _measure_counts(ctx.data.measures)
    pairs = len(ctx.data.measures)
    document.add_paragraph().add_run(ctx.t("measures.by_status")).bold = True
    table = _docx_table(
        document,
        [ctx.t("col.status"), ctx.t("col.count"), ctx.t("col.share")],
        [[ctx.measure_status(s), str(n), _pct(n / pairs)] for s, n in counts.items()],
    )
    for index, code in enumerate(counts, start=1):
        _shade(table.rows[index].cells[0], MEASURE_STATUS_COLOURS[code])
    document.add_paragraph().add_run(ctx.t("measures.table")).bold = True
    header = ["col.measure_no", "col.measure", "col.unit_responsible", "col.status"]
    header += ["col.reporting_period", "col.reported_on"]
    rows = [
        [
            str(m["measure_no"]),
            ctx.name(m, "title"),
            m["department_name_zh"] or DASH,
            ctx.measure_status(m["measure_status"]),
            m["reporting_period"] or DASH,
            m["reported_on"].isoformat() if m["reported_on"] else DASH,
        ]
        for m in ctx.data.measures
    ]
    table = _docx_table(document, [ctx.t(h) for h in header], rows)
    for index, measure in enumerate(ctx.data.measures, start=1):
        _shade(table.rows[index].cells[3], MEASURE_STATUS_COLOURS[measure["measure_status"]])


def _docx_sources(ctx: _Context, document: Any) -> None:
    document.add_paragraph(ctx.t("sources.intro"))
    header = ["col.load_id", "col.file_name", "col.sha12", "col.table", "col.rows"]
    rows = [
        [
            str(load["load_id"]),
            load["file_name"],
            load["file_sha256"][:12],
            load["table_name"] + ctx.paren(load["sheet_name"]),
            str(load["rows_accepted"]),
        ]
        for load in ctx.data.loads
    ]
    _docx_table(document, [ctx.t(h) for h in header], rows)


def _docx_annex(ctx: _Context, document: Any) -> None:
    for key in ("annex.growth_ratio", "annex.pro_rata", "annex.years_met"):
        document.add_paragraph(ctx.t(key))
    if ctx.data.thresholds:
        thresholds = _thresholds_text(ctx, *ctx.data.thresholds)
        document.add_paragraph(ctx.t("annex.bands", thresholds=thresholds))
    for key in ("annex.comparators", "annex.survey", "annex.nchs"):
        document.add_paragraph(ctx.t(key))


def _docx_table(document: Any, header: list[str], rows: list[list[str]]) -> Any:
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, bold=True)
        _shade(cell, "D9E1F2")
    _repeat_header(table.rows[0])
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            _cell_text(cell, text)
    return table


def _cell_text(cell: Any, text: str, *, bold: bool = False) -> None:
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    run.font.size = Pt(9)


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row: Any) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


# --- Excel -----------------------------------------------------------------------------


class _Formats:
    """xlsxwriter formats, created once per workbook for each set of properties."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self._book = book
        self._cache: dict[tuple, Any] = {}

    def get(self, num_format: str | None = None, fill: str | None = None, **extra: Any) -> Any:
        key = (num_format, fill, tuple(sorted(extra.items())))
        if key not in self._cache:
            props: dict[str, Any] = {"valign": "top", **extra}
            if num_format:
                props["num_format"] = num_format
            if fill:
                props.update(bg_color=f"#{fill}", pattern=1)
            self._cache[key] = self._book.add_format(props)
        return self._cache[key]

    @property
    def header(self) -> Any:
        return self.get(None, "D9E1F2", bold=True, border=1, text_wrap=True)


def _value_format(unit: str | None, value: float) -> str:
    return "0.00" if _decimals(unit, value) == 2 else "0"


class _Sheet:
    """One table on one sheet: header row, typed cells, widths from content, frozen header."""

    def __init__(self, book: xlsxwriter.Workbook, formats: _Formats, name: str) -> None:
        self.sheet = book.add_worksheet(name)
        self.formats = formats
        self.widths: dict[int, int] = {}
        self.row = 0
        self.header_row = 0

    def write(
        self,
        row: int,
        col: int,
        value: Any,
        num_format: str | None = None,
        fill: str | None = None,
        **extra: Any,
    ) -> None:
        fmt = self.formats.get(num_format, fill, **extra)
        if value is None:
            self.sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            self.sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            self.sheet.write_number(row, col, value, fmt)
        elif isinstance(value, datetime | date):
            moment = datetime(value.year, value.month, value.day)
            self.sheet.write_datetime(row, col, moment, self.formats.get("yyyy-mm-dd", fill))
        else:
            self.sheet.write_string(row, col, str(value), fmt)
        shown = value.isoformat() if isinstance(value, date) else value
        self._measure(col, "" if shown is None else str(shown))

    def header(self, labels: list[str]) -> None:
        self.header_row = self.row
        for col, label in enumerate(labels):
            self.sheet.write_string(self.row, col, label, self.formats.header)
            self._measure(col, label)
        self.row += 1

    def _measure(self, col: int, text: str) -> None:
        width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2
        self.widths[col] = max(self.widths.get(col, 8), min(width, 50))

    def finish(self, columns: int) -> None:
        for col, width in sorted(self.widths.items()):
            self.sheet.set_column(col, col, width)
        self.sheet.freeze_panes(self.header_row + 1, 0)
        if self.row > self.header_row + 1:
            self.sheet.autofilter(self.header_row, 0, self.row - 1, columns - 1)


def _write_xlsx(ctx: _Context, path: Path) -> None:
    moment = datetime(ctx.as_of.year, ctx.as_of.month, ctx.as_of.day)
    book = xlsxwriter.Workbook(str(path))
    book.set_properties(
        {
            "title": ctx.title,
            "author": "Kepu Monitor",
            "comments": ctx.vintage_note,
            "created": moment,
        }
    )
    formats = _Formats(book)
    _xlsx_summary(ctx, _Sheet(book, formats, ctx.t("sheet.summary")))
    _xlsx_progress(ctx, _Sheet(book, formats, ctx.t("sheet.progress")))
    _xlsx_values(ctx, _Sheet(book, formats, ctx.t("sheet.values")))
    if ctx.data.measures:
        _xlsx_measures(ctx, _Sheet(book, formats, ctx.t("sheet.measures")))
    _xlsx_sources(ctx, _Sheet(book, formats, ctx.t("sheet.sources")))
    book.close()


# The summary sheet opens with the title, the vintage and the synthetic notice (rows 1–3);
# the target table's header is row 4.
SUMMARY_HEADER_ROW = 3


def _xlsx_summary(ctx: _Context, sheet: _Sheet) -> None:
    sheet.sheet.write_string(
        0,
        0,
        ctx.title + ctx.paren(ctx.as_of.isoformat()),
        sheet.formats.get(bold=True, font_size=13),
    )
    sheet.sheet.write_string(1, 0, f"{ctx.t('cover.vintage')}: {ctx.vintage_note}")
    if ctx.data.is_synthetic:
        sheet.sheet.write_string(
            2, 0, ctx.t("cover.synthetic"), sheet.formats.get(bold=True, font_color="#C00000")
        )
    sheet.row = SUMMARY_HEADER_ROW
    header = [
        "col.indicator",
        "col.target",
        "col.baseline_value",
        "col.baseline_year",
        "col.latest_value",
        "col.latest_year",
        "col.unit",
        "col.status",
        "col.status_note",
    ]
    sheet.header([ctx.t(h) for h in header])
    for target in ctx.data.targets:
        rows = ctx.data.values.get(target["target_id"], [])
        unit_zh = rows[0]["unit_zh"] if rows else None
        unit = rows[0][f"unit_{ctx.lang}"] if rows else None
        latest = target["latest_value"]
        note = _status_reason(ctx, target)
        if target["latest_quality_flag"] == "suppress":
            latest, note = DASH, _latest_text(ctx, target)
        cells = [
            (ctx.name(target, "indicator_name"), None),
            (ctx.name(target, "target_label"), None),
            (target["baseline_value"], _number_format(unit_zh, target["baseline_value"])),
            (target["baseline_year"], "0"),
            (latest, _number_format(unit_zh, latest)),
            (target["latest_year"], "0"),
            (unit, None),
        ]
        for col, (value, num_format) in enumerate(cells):
            sheet.write(sheet.row, col, value, num_format)
        status = target["progress_status"]
        sheet.write(sheet.row, 7, ctx.status(status), fill=STATUS_COLOURS[status], border=1)
        sheet.write(sheet.row, 8, note or None)
        sheet.row += 1
    if not ctx.data.targets:
        sheet.write(sheet.row, 0, ctx.t("summary.no_targets"))
        sheet.row += 1
    if ctx.data.measures:
        sheet.write(sheet.row + 1, 0, _measures_summary_text(ctx))
    sheet.finish(len(header))


def _number_format(unit: str | None, value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _value_format(unit, value)
    return None


# Number formats of fct_target_progress columns that are not indicator values.
PROGRESS_FORMATS = {
    "cagr_observed": "0.00%",
    "cagr_required": "0.00%",
    "progress_ratio": "0.000",
    "share_of_way": "0.0%",
    "elapsed_share": "0.0%",
    "threshold_on_track": "0.00",
    "threshold_accelerate": "0.00",
}
PROGRESS_VALUE_COLUMNS = frozenset(
    {
        "target_value",
        "target_value_upper",
        "tolerance",
        "baseline_value",
        "latest_value",
        "latest_ci_lower",
        "latest_ci_upper",
        "expected_to_date",
    }
)


def _integer_format(value: Any) -> str | None:
    return "0" if isinstance(value, int) and not isinstance(value, bool) else None


def _xlsx_progress(ctx: _Context, sheet: _Sheet) -> None:
    columns = ctx.data.progress_columns
    sheet.header([ctx.t(f"col.{c}") if f"col.{c}" in LABELS else c for c in columns])
    for target in ctx.data.targets:
        unit = _target_unit(ctx, target)
        for col, column in enumerate(columns):
            value = target[column]
            if column in PROGRESS_VALUE_COLUMNS:
                num_format = _number_format(unit, value)
            else:
                num_format = PROGRESS_FORMATS.get(column, _integer_format(value))
            fill = STATUS_COLOURS[value] if column == "progress_status" else None
            sheet.write(sheet.row, col, value, num_format, fill)
        sheet.row += 1
    sheet.finish(len(columns))


def _xlsx_values(ctx: _Context, sheet: _Sheet) -> None:
    header = [
        "col.target_id",
        "col.indicator",
        "col.series",
        "col.year",
        "col.value",
        "col.unit",
        "col.standard_error",
        "col.ci_lower",
        "col.ci_upper",
        "col.n",
        "col.flag",
        "col.reason",
    ]
    sheet.header([ctx.t(h) for h in header])
    for target in ctx.data.targets:
        for row in ctx.data.values.get(target["target_id"], []):
            suppressed = row["quality_flag"] == "suppress" or row["value"] is None
            unit = row["unit_zh"]
            cells = [
                (target["target_id"], None),
                (ctx.name(target, "indicator_name"), None),
                (ctx.t(f"series.{row['group_dimension']}"), None),
                (row["year"], "0"),
                (DASH if suppressed else row["value"], _number_format(unit, row["value"])),
                (row[f"unit_{ctx.lang}"], None),
            ]
            for column in ("standard_error", "ci_lower", "ci_upper"):
                value = None if suppressed else row[column]
                cells.append((value, "0.00" if unit in TWO_DECIMAL_UNITS else "0.000"))
            cells += [
                (row["sample_size"], "0"),
                (ctx.t(f"quality.{row['quality_flag']}"), None),
                (ctx.reason(row["quality_reason"]) or None, None),
            ]
            for col, (value, num_format) in enumerate(cells):
                sheet.write(sheet.row, col, value, num_format)
            sheet.row += 1
    sheet.finish(len(header))


def _xlsx_measures(ctx: _Context, sheet: _Sheet) -> None:
    header = [
        "col.measure_no",
        "col.measure",
        "col.unit_responsible",
        "col.status",
        "col.reporting_period",
        "col.reported_on",
        "col.evidence",
        "col.document_ref",
    ]
    sheet.header([ctx.t(h) for h in header])
    for measure in ctx.data.measures:
        status = measure["measure_status"]
        cells = [
            measure["measure_no"],
            ctx.name(measure, "title"),
            measure["department_name_zh"],
            ctx.measure_status(status),
            measure["reporting_period"],
            measure["reported_on"],
            measure["evidence"],
            measure["document_ref"],
        ]
        for col, value in enumerate(cells):
            fill = MEASURE_STATUS_COLOURS[status] if col == 3 else None
            sheet.write(sheet.row, col, value, "0" if col == 0 else None, fill)
        sheet.row += 1
    sheet.finish(len(header))


def _xlsx_sources(ctx: _Context, sheet: _Sheet) -> None:
    header = [
        "col.load_id",
        "col.file_name",
        "col.sha12",
        "col.sheet",
        "col.table",
        "col.rows",
        "col.synthetic",
        "col.sha256",
    ]
    sheet.header([ctx.t(h) for h in header])
    for load in ctx.data.loads:
        cells = [
            (load["load_id"], "0"),
            (load["file_name"], None),
            (load["file_sha256"][:12], None),
            (load["sheet_name"], None),
            (load["table_name"], None),
            (load["rows_accepted"], "#,##0"),
            (ctx.t("yes") if load["is_synthetic"] else ctx.t("no"), None),
            (load["file_sha256"], None),
        ]
        for col, (value, num_format) in enumerate(cells):
            sheet.write(sheet.row, col, value, num_format)
        sheet.row += 1
    sheet.finish(len(header))
