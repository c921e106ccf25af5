"""Every label of the dashboard in both languages, and the switch between them.

Leadership reads Chinese, partners and reviewers read English; one dict keeps the two
versions of each label side by side so neither drifts. Names that come from the registry
(plans, regions, indicators, units, target labels) are not here: the marts carry them as
`<name>_zh` / `<name>_en` columns and `localized` picks the right one.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from orchestration.vocabulary import VOCABULARY

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANGUAGE_KEY = "lang"
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}

LABELS: dict[str, tuple[str, str]] = {
    **VOCABULARY,
    "app.title": ("科普监测", "Kepu Monitor"),
    "app.language": ("语言", "Language"),
    "app.published_at": ("快照发布时间：{time}", "Snapshot published: {time}"),
    "app.synthetic": (
        "演示数据为合成数据，非真实统计",
        "Demo data are synthetic, not real statistics",
    ),
    "app.nothing_published": ("尚未发布任何数据快照。", "Nothing has been published yet."),
    "page.overview": ("概览", "Overview"),
    "page.funding": ("科普经费", "Funding"),
    "overview.plans": ("规划一览", "Plans"),
    "overview.choose_plan": ("选择规划", "Choose a plan"),
    "overview.targets": ("目标", "Targets"),
    "overview.measures": ("措施与责任单位", "Measures and responsible units"),
    "overview.no_targets": (
        "该规划没有登记目标或措施。",
        "This plan has no registered targets or measures.",
    ),
    "col.plan_name": ("规划名称", "Plan"),
    "col.region_name": ("地区", "Region"),
    "col.period": ("规划期", "Period"),
    "col.issued_on": ("印发日期", "Issued on"),
    "col.review_points": ("评估节点", "Review points"),
    "col.target_count": ("目标数", "Targets"),
    "col.measure_count": ("措施数", "Measures"),
    "col.kind": ("目标类型", "Kind"),
    "col.target": ("目标值", "Target"),
    "col.source_quote": ("原文", "Source sentence"),
    "col.note": ("说明", "Note"),
    "col.measure_title": ("措施", "Measure"),
    "col.measure_summary": ("要点", "Summary"),
    "col.responsible_units": ("责任单位", "Responsible units"),
    "col.numerator": ("分子（元）", "Numerator (yuan)"),
    "col.denominator": ("分母（人）", "Denominator (persons)"),
    "col.per_capita": ("人均（元/人）", "Per capita (yuan/person)"),
    "col.quality": ("质量标记", "Quality flag"),
    "col.source": ("来源", "Source"),
    "col.amount_10k": ("金额（万元）", "Amount (10k yuan)"),
    "funding.choose_indicator": ("人均经费指标", "Per-capita funding indicator"),
    "funding.choose_region": ("地区", "Region"),
    "funding.per_capita_title": (
        "人均科普经费（元/人）",
        "Per-capita science funding (yuan/person)",
    ),
    "funding.ratio": (
        "分子：{numerator}；分母：{denominator}",
        "numerator: {numerator}; denominator: {denominator}",
    ),
    "funding.value": ("人均值", "Per capita"),
    "funding.baseline": ("基线", "Baseline"),
    "funding.target": ("目标", "Target"),
    "funding.target_label": ("目标 {label}（{year}年）", "Target {label} ({year})"),
    "funding.baseline_label": ("基线 {value:g}（{year}年）", "Baseline {value:g} ({year})"),
    "funding.values": ("数值", "Values"),
    "funding.no_values": ("该指标暂无数值。", "This indicator has no values yet."),
    "funding.by_source": ("按来源分的科普经费（万元）", "Science funding by source (10k yuan)"),
    "funding.special_fund_note": (
        "科普专项经费是政府拨款的一部分，不计入堆叠，单独以折线显示。",
        "The special fund is part of the government appropriation, so it is drawn as a "
        "separate line rather than stacked.",
    ),
    "funding.no_sources": ("该地区暂无分来源经费数据。", "No funding by source for this region."),
    "kind.level": ("水平值", "level"),
    "kind.cumulative": ("期间累计", "cumulative"),
    "kind.annual": ("每年", "annual"),
    "kind.qualitative": ("定性", "qualitative"),
    "review.midterm": ("中期评估", "midterm review"),
    "review.final": ("总结评估", "final review"),
    "source.government": ("政府拨款", "government appropriation"),
    "source.special_fund": ("科普专项经费", "special fund"),
    "source.donation": ("社会捐赠", "donations"),
    "source.self_raised": ("自筹资金", "self-raised"),
    "source.other": ("其他", "other"),
    "source.total": ("科普经费筹集总额", "total funding"),
    "population.resident": ("常住人口", "resident population"),
    "population.registered": ("户籍人口", "registered population"),
    "page.literacy": ("公民科学素质", "Scientific literacy"),
    "literacy.choose_region": ("地区", "Region"),
    "literacy.choose_dimension": ("分组", "Breakdown"),
    "literacy.trend_title": (
        "公民具备科学素质的比例（%）",
        "Share of citizens with scientific literacy (%)",
    ),
    "literacy.series": ("具备科学素质的比例", "Literacy ratio"),
    "literacy.ci_band": ("95%置信区间", "95% CI"),
    "literacy.estimates": ("估计值", "Estimates"),
    "literacy.no_values": (
        "该地区暂无公民科学素质调查估计值。",
        "No literacy survey estimates for this region yet.",
    ),
    "literacy.nothing_publishable": (
        "这些估计值均不宜发布，原因见下表。",
        "None of these estimates can be published; the table gives the reasons.",
    ),
    "literacy.suppressed_note": (
        "×：该估计值按NCHS比例估计发布标准不宜发布，折线在此断开；原因见下表。",
        "×: the estimate is suppressed under the NCHS presentation standard for "
        "proportions, so the line breaks there; the table gives the reason.",
    ),
    # Captions are Markdown: the asterisk is escaped so it is not read as a list bullet.
    "literacy.footnote_flag": (
        "\\* 需注意：估计值可以发布，但置信区间相对较宽，解读时请谨慎（NCHS 2017标准）。",
        "\\* Flagged: the estimate may be published, but its confidence interval is wide "
        "relative to it; read it with care (NCHS 2017 standard).",
    ),
    "literacy.footnote_review": (
        "† 待复核：自由度不足或无法估计方差，发布前需由统计人员复核。",
        "† Under review: too few degrees of freedom or no variance estimate; a "
        "statistician reviews it before publication.",
    ),
    "literacy.target": ("目标", "Target"),
    "literacy.baseline": ("基线", "Baseline"),
    "literacy.target_label": ("目标 {label}（{year}年）", "Target {label} ({year})"),
    "literacy.baseline_label": ("基线 {value:g}%（{year}年）", "Baseline {value:g}% ({year})"),
    "literacy.year_separator": ("、", ", "),
    "literacy.rule_years": ("{years}年 {rule}", "{rule} ({years})"),
    "literacy.method": (
        "素质判定规则：{rules}。估计值为基于抽样设计的加权估计（泰勒线性化方差），"
        "95%置信区间为logit区间；仅含一个初级抽样单位的层按“{lonely}”处理。",
        "Literacy rule: {rules}. Estimates are design-based (Taylor linearisation) with "
        "95% logit confidence intervals; strata with a single PSU: {lonely}.",
    ),
    "literacy.rule_changed": (
        "判定规则在{year}年更换（图中竖虚线），前后年份的数值不宜直接比较。",
        "The literacy rule changed in {year} (dotted vertical line); values before and "
        "after are not strictly comparable.",
    ),
    "literacy.rule_change": ("判定规则更换", "rule changed"),
    "literacy.gaps": ("群体差距（百分点）", "Gaps between groups (percentage points)"),
    "literacy.gap_title": (
        "群体差距（百分点，95%置信区间）",
        "Gap between groups (percentage points, 95% CI)",
    ),
    "literacy.gap_method": (
        "差距为同一调查中两个群体估计值之差，误差线为基于设计自由度t分布的95%置信区间；"
        "任一群体估计值不宜发布时差距亦不发布。",
        "A gap is the difference of two group estimates from the same survey; error bars "
        "are 95% t intervals on the design's degrees of freedom. A gap is suppressed when "
        "either group estimate is.",
    ),
    "literacy.no_gaps": ("该地区暂无群体差距估计。", "No gap estimates for this region."),
    "dimension.total": ("总体", "All adults"),
    "dimension.sex": ("性别", "Sex"),
    "dimension.urban_rural": ("城乡", "Urban / rural"),
    "dimension.age_band": ("年龄段", "Age band"),
    "dimension.education": ("受教育程度", "Education"),
    "dimension.occupation": ("职业", "Occupation"),
    "group.all": ("全体", "all adults"),
    "group.male": ("男性", "men"),
    "group.female": ("女性", "women"),
    "group.urban": ("城镇居民", "urban"),
    "group.rural": ("农村居民", "rural"),
    "group.18-29": ("18—29岁", "18–29"),
    "group.30-39": ("30—39岁", "30–39"),
    "group.40-49": ("40—49岁", "40–49"),
    "group.50-59": ("50—59岁", "50–59"),
    "group.60-69": ("60—69岁", "60–69"),
    "group.primary_or_less": ("小学及以下", "primary school or less"),
    "group.junior_high": ("初中", "junior high school"),
    "group.senior_high": ("高中（含中专）", "senior high school"),
    "group.college": ("大学专科", "college (associate degree)"),
    "group.bachelor_plus": ("大学本科及以上", "bachelor's degree or higher"),
    "group.领导干部和公务员": ("领导干部和公务员", "officials and civil servants"),
    "group.企事业单位管理人员": ("企事业单位管理人员", "managers of enterprises and institutions"),
    "group.专业技术人员": ("专业技术人员", "professional and technical staff"),
    "group.办事人员": ("办事人员", "clerical staff"),
    "group.商业及服务业人员": ("商业及服务业人员", "commerce and service workers"),
    "group.产业工人": ("产业工人", "industrial workers"),
    "group.农民": ("农民", "farmers"),
    "group.学生及待升学人员": ("学生及待升学人员", "students"),
    "group.离退休人员": ("离退休人员", "retirees"),
    "group.无业失业及家务": ("无业、失业及家务人员", "unemployed and homemakers"),
    "gap.sex": ("男性 − 女性", "men − women"),
    "gap.urban_rural": ("城镇 − 农村", "urban − rural"),
    "gap.occupation": ("最高 − 最低职业群体", "highest − lowest occupation"),
    "reason.no_respondents": ("该组无受访者", "no respondents in this domain"),
    "reason.no_variance": (
        "无法估计方差：某层仅有一个初级抽样单位且设定为 fail",
        "no variance: a stratum has one PSU and lonely_psu = fail",
    ),
    "reason.small_effective_n": ("有效样本量不足30", "effective sample size below 30"),
    "reason.wide_ci": (
        "置信区间宽度达到或超过30个百分点",
        "confidence interval width 30 points or more",
    ),
    "reason.wide_relative_ci": (
        "置信区间宽度超过估计值的130%",
        "relative confidence interval width above 130%",
    ),
    "reason.few_df": ("自由度少于8", "fewer than 8 degrees of freedom"),
    "reason.wide_complement_ci": (
        "置信区间宽度超过（1 − 估计值）的130%",
        "relative width of the complement above 130%",
    ),
    "reason.group_suppressed": ("参与比较的群体估计值不宜发布", "a group estimate is suppressed"),
    "reason.group_review": ("参与比较的群体估计值待复核", "a group estimate is under review"),
    "reason.group_flag": ("参与比较的群体估计值需注意", "a group estimate is flagged"),
    "col.group": ("群体", "Group"),
    "col.estimate": ("比例（%）", "Share (%)"),
    "col.standard_error": ("标准误", "SE"),
    "col.df": ("自由度", "df"),
    "col.sample_size": ("样本量", "n"),
    "col.design_effect": ("设计效应", "Design effect"),
    "col.comparison": ("比较", "Comparison"),
    "col.pair": ("群体对", "Groups compared"),
    "col.gap": ("差距（百分点）", "Gap (pp)"),
    "page.facilities": ("科普设施", "Facilities"),
    "page.activities": ("活动与培训", "Activities & trainings"),
    "page.measures": ("措施落实", "Measures"),
    "page.assessment": ("评估报告", "Assessment"),
    "records.choose_target": ("目标", "Target"),
    "records.target_option": ("{plan}：{indicator}", "{plan}: {indicator}"),
    "records.target_label": ("目标 {label}", "Target {label}"),
    "records.target_label_year": ("目标 {label}（{year}年）", "Target {label} ({year})"),
    "records.no_targets": ("快照中没有此类目标。", "The snapshot has no targets of this kind."),
    "facilities.choose_year": ("年份", "Year"),
    "facilities.by_town_title": (
        "{year}年各镇街覆盖率（%）",
        "Coverage by town or street, {year} (%)",
    ),
    "facilities.trend_title": ("{region}覆盖率（%）", "Coverage in {region} (%)"),
    "facilities.coverage_in": ("{year}年覆盖率", "Coverage in {year}"),
    "facilities.target": ("目标", "Target"),
    "facilities.no_towns": (
        "该目标的统计单位即为镇街，没有更下一级的分组。",
        "This target counts the towns and streets themselves; there is no level below.",
    ),
    "facilities.denominator_note": (
        "分母为当年名录中该级别的全部单位，无论是否报送；未报送的单位按未覆盖计。",
        "The denominator is every unit of that level in the year's register, whether it "
        "reported or not; a unit that did not report counts as not covered.",
    ),
    "facilities.non_reporting": (
        "{year}年有 {n} 个单位未报送，按未覆盖计。",
        "{n} units did not report in {year} and count as not covered.",
    ),
    "facilities.all_reported": (
        "{year}年名录中的全部单位均已报送。",
        "Every unit in the {year} register reported.",
    ),
    "facilities.non_reporting_title": ("未报送单位", "Units that did not report"),
    "facilities.no_unit_list": (
        "发布快照只保存各地区未报送单位的数量，不含单位名单；名单请对照报送的设施表与当年"
        "行政单位名录。",
        "The published snapshot keeps how many units did not report in each region, not "
        "their names; for the names, compare the returned facility sheet with that year's "
        "unit register.",
    ),
    "facilities.values": ("{year}年覆盖情况", "Coverage in {year}"),
    "activities.running_total": ("累计完成", "Running total"),
    "activities.pro_rata": (
        "时序进度（目标×已过期间占比）",
        "Pro-rata path (target × elapsed share)",
    ),
    "activities.annual_value": ("当年值", "Value in the year"),
    "activities.stock_value": ("年末值", "Year-end value"),
    "activities.target": ("目标", "Target"),
    "activities.cumulative_title": (
        "期间累计与时序进度（{unit}）",
        "Running total against the pro-rata path ({unit})",
    ),
    "activities.annual_title": ("每年完成情况（{unit}）", "Value per year ({unit})"),
    "activities.level_title": ("年末值（{unit}）", "Year-end value ({unit})"),
    "activities.year_end_axis": ("年末", "End of year"),
    "activities.period_start": ("规划期开始", "period starts"),
    "activities.year_met": ("达标", "met"),
    "activities.year_missed": ("未达标", "missed"),
    "activities.year_not_assessed": ("不在规划期内", "outside the plan period"),
    "activities.before_period": (
        "规划期前，不计入累计",
        "before the plan period, not in the total",
    ),
    "activities.values": ("数值与计数规则", "Values and counting rule"),
    "activities.rule": (
        "计数规则：{measure}，来源：{source}。",
        "Counted as {measure}, from {source}.",
    ),
    "activities.status": (
        "截至{as_of}的进展状态：{status}（{method}，比率 {ratio}）。",
        "Status as of {as_of}: {status} ({method}, ratio {ratio}).",
    ),
    "count_measure.events": ("活动次数（每条活动记录计1次）", "events (one per activity record)"),
    "count_measure.sessions": ("场次合计", "sessions (sum of sessions)"),
    "count_measure.participants": ("人次合计", "participants (sum of person-times)"),
    "count_measure.amount": ("金额合计（万元）", "amount (sum, 10k yuan)"),
    "count_measure.new_entities": ("当年新登记数", "entries newly registered in the year"),
    "count_measure.stock": (
        "年末在册数（不同实体，注销者不计）",
        "year-end stock (distinct entries on the register, exits removed)",
    ),
    "record_source.activities": ("活动记录", "activity logs"),
    "record_source.register": ("登记名册", "registers"),
    "measures.choose_plan": ("规划", "Plan"),
    "measures.matrix": ("措施 × 责任单位", "Measures × responsible units"),
    "measures.matrix_note": (
        "每格为该责任单位最近一次报告的状态；空白表示该单位不负责此项措施。",
        "Each cell is the unit's status in its latest report; a blank cell means the unit "
        "is not responsible for that measure.",
    ),
    "measures.counts": ("状态统计（措施 × 责任单位）", "Statuses (measure × unit pairs)"),
    "measures.choose_measure": ("措施", "Measure"),
    "measures.latest": ("各责任单位最新进展", "Latest status of each responsible unit"),
    "measures.history": ("报告记录", "Report history"),
    "measures.no_history": (
        "该措施尚无任何报告。",
        "No report on this measure has been received.",
    ),
    "measures.no_measures": (
        "快照中没有登记措施的规划。",
        "No plan in the snapshot registers measures.",
    ),
    "assessment.choose_plan": ("规划", "Plan"),
    "assessment.as_of": (
        "进展状态截至 {as_of}（发布快照构建时的评估日期）。",
        "Statuses as of {as_of} (the assessment date of the published snapshot).",
    ),
    "assessment.status_table": ("各项目标进展", "Progress of each target"),
    "assessment.summary": ("共 {n} 项量化目标：{parts}。", "{n} quantitative targets: {parts}."),
    "assessment.summary_part": ("{status} {count} 项", "{status}: {count}"),
    "assessment.no_targets": (
        "该规划未登记量化目标，请在“措施落实”页查看措施进展。",
        "This plan registers no quantitative targets; see the Measures page for its measures.",
    ),
    "assessment.reports": ("评估报告文件", "Report files"),
    "assessment.reports_folder": ("报告目录：{folder}", "Reports folder: {folder}"),
    "assessment.no_reports": (
        "尚未为该规划生成评估报告。生成命令（Word 和 Excel）：",
        "No assessment report has been written for this plan yet. To write one (Word and Excel):",
    ),
    "assessment.ratio_note": (
        "比率：水平值目标为实际年均增长率与所需年均增长率之比；期间累计目标为累计完成与"
        "时序进度之比；每年目标为达标年份占比。",
        "Ratio: for level targets, observed over required annual growth; for cumulative "
        "targets, running total over the pro-rata expectation; for annual targets, the "
        "share of years met.",
    ),
    "assessment.choose_as_of": ("评估截止日期", "Assessment as of"),
    "assessment.current": ("{as_of}（当前快照）", "{as_of} (current snapshot)"),
    "assessment.as_received": ("{as_of}（按当时已报送数据）", "{as_of} (data as received by then)"),
    "assessment.with_corrections": ("{as_of}（含之后更正）", "{as_of} (with later corrections)"),
    "col.region": ("地区", "Region"),
    "col.units": ("名录单位数（分母）", "Units in register (denominator)"),
    "col.covered_units": ("建有设施单位数（分子）", "Units covered (numerator)"),
    "col.reporting_units": ("报送单位数", "Units reporting"),
    "col.non_reporting_units": ("未报送单位数", "Units not reporting"),
    "col.coverage": ("覆盖率（%）", "Coverage (%)"),
    "col.running_total": ("期间累计", "Running total"),
    "col.year_status": ("当年是否达标", "Year met?"),
    "col.unit_name": ("责任单位", "Responsible unit"),
    "col.reported_on": ("报送日期", "Reported on"),
    "col.report_count": ("报告次数", "Reports"),
    "col.method": ("评估方法", "Method"),
    "col.ratio": ("比率", "Ratio"),
    "col.status_reason": ("状态说明", "Status note"),
}

# The marts explain a quality flag in English text; these are the texts they write
# (fct_literacy_estimate and, for gaps, fct_indicator_value) and the label of each.
QUALITY_REASONS = {
    "no respondents in this domain": "reason.no_respondents",
    "no variance: a stratum has one PSU and lonely_psu = fail": "reason.no_variance",
    "effective sample size below 30": "reason.small_effective_n",
    "confidence interval width 30 points or more": "reason.wide_ci",
    "relative confidence interval width above 130%": "reason.wide_relative_ci",
    "fewer than 8 degrees of freedom": "reason.few_df",
    "relative width of the complement above 130%": "reason.wide_complement_ci",
    "a group estimate is suppress": "reason.group_suppressed",
    "a group estimate is review": "reason.group_review",
    "a group estimate is flag": "reason.group_flag",
}


def current_language() -> str:
    """The language chosen in this session; the default until the switch has run."""
    return st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)


def t(key: str, **fields: object) -> str:
    """The label `key` in the current language, with `{field}` placeholders filled."""
    zh, en = LABELS[key]
    text = zh if current_language() == "zh" else en
    return text.format(**fields) if fields else text


def both(key: str) -> str:
    """The label in both languages, for what must be readable before a language is chosen."""
    return " / ".join(LABELS[key])


def code_label(prefix: str, code: str) -> str:
    """The label of a registry code such as a target kind or funding source.

    A code the dashboard does not know yet is shown as itself: the registry is data and
    may grow before the labels do, and a raw code is better than a broken page.
    """
    key = f"{prefix}.{code}"
    return t(key) if key in LABELS else code


def quality_reason(reason: str | None) -> str | None:
    """A mart's quality reason in the current language; a text not known here as it is."""
    if reason is None or pd.isna(reason):
        return None
    key = QUALITY_REASONS.get(reason)
    return t(key) if key else reason


def localized(frame: pd.DataFrame, *bases: str) -> pd.DataFrame:
    """A copy of `frame` where each `base` column holds `base_zh` or `base_en`.

    The registry gives names in both languages; a page asks for `plan_name` and gets the
    one the reader chose, so no page spells out a language suffix itself.
    """
    suffix = current_language()
    out = frame.copy()
    for base in bases:
        out[base] = out[f"{base}_{suffix}"]
    return out


def pick(row: pd.Series | dict, base: str) -> str:
    """One registry name of a single row in the current language."""
    return row[f"{base}_{current_language()}"]


def names_by_code(frame: pd.DataFrame, code_column: str, base: str) -> dict[str, str]:
    """Code → registry name in the current language, for a selectbox's options.

    The names are looked up while the page runs, not later when Streamlit formats an
    option, so the labels always match the language of the run that drew the widget.
    """
    names = frame[f"{base}_{current_language()}"]
    return dict(zip(frame[code_column], names, strict=True))


def column_labels(columns: pd.Index | list[str]) -> dict[str, str]:
    """Display labels for table columns; the frames keep stable ids, only headers change."""
    return {column: t(f"col.{column}") for column in columns}


def department_list(
    joined: str | None, region_code: str, english_names: dict[tuple[str, str], str]
) -> str | None:
    """A '；'-joined list of department names in the current language.

    The registry records departments by their Chinese names; in English each is looked up
    in the department dimension and kept in Chinese only if it is missing there.
    """
    if pd.isna(joined) or current_language() == "zh":
        return joined
    names = joined.split(LABELS["list.separator"][0])
    return t("list.separator").join(english_names.get((region_code, name), name) for name in names)


def language_switch() -> None:
    """Sidebar radio for the language, mirrored in the `lang` query parameter.

    Session state holds the choice while the reader clicks around; the query parameter
    lets a shared link open in the same language. The parameter is read only when the
    session starts, so the radio, not a stale URL, decides afterwards.
    """
    if LANGUAGE_KEY not in st.session_state:
        requested = st.query_params.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
        st.session_state[LANGUAGE_KEY] = requested if requested in LANGUAGES else DEFAULT_LANGUAGE
    st.sidebar.radio(
        both("app.language"),
        LANGUAGES,
        key=LANGUAGE_KEY,
        format_func=LANGUAGE_NAMES.__getitem__,
        horizontal=True,
    )
    st.query_params[LANGUAGE_KEY] = st.session_state[LANGUAGE_KEY]
