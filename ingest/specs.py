"""What each kind of spreadsheet users load looks like: sheets, headers (zh or en), types, units.

A `TableSpec` describes one raw table: the headers it accepts, how each column is typed and
checked, and the key that identifies a row across loads (the latest load of a key wins
downstream). The readers, the templates and the warehouse DDL are all driven by these specs,
so a new column is declared once, here.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingest import synonyms

# `count`: a whole number as written (before any unit factor), where `-` means "not
# reported" and is stored as NULL, distinct from 0 (the 科普统计 forms' rule).
Kind = Literal["code", "text", "int", "count", "number", "choice", "bool", "date"]

SQL_TYPES: Mapping[Kind, str] = {
    "code": "VARCHAR",
    "text": "VARCHAR",
    "int": "INTEGER",
    "count": "BIGINT",
    "number": "DOUBLE",
    "choice": "VARCHAR",
    "bool": "BOOLEAN",
    "date": "DATE",
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its canonical name, the headers users may give it, its type."""

    name: str
    zh: str
    aliases: tuple[str, ...] = ()
    kind: Kind = "text"
    required: bool = True
    # A choice column accepts the codes of this namespace of ingest/synonyms.csv (only
    # these, if given), written as any of their words.
    namespace: str | None = None
    only: tuple[str, ...] = ()
    units: Mapping[str, float] | None = None
    # Plausible values, checked on the value as stored (after the unit: 元, persons):
    # minimum ≤ v ≤ maximum, and v > above where a zero would be impossible (a weight,
    # a population). A year or date with not_after_received may not be later than the
    # date the file was received.
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None
    not_after_received: bool = False
    pattern: str | None = None
    # What a user must write, as a key of the ingest.expect.* labels, with an example.
    expect: str = ""
    example: str = ""

    def __post_init__(self) -> None:
        assert (self.kind == "choice") == (self.namespace is not None), self.name
        if not self.expect:
            object.__setattr__(self, "expect", DEFAULT_EXPECT[self.kind])

    @property
    def expected_fields(self) -> dict[str, object]:
        """The fields the ingest.expect.* sentence of this column needs."""
        fields: dict[str, object] = {
            k: v
            for k, v in (
                ("minimum", self.minimum),
                ("maximum", self.maximum),
                ("above", self.above),
                ("example", self.example or None),
            )
            if v is not None
        }
        if self.units:  # the stored unit, else the first one accepted (万元 on a KP form)
            ones = [unit for unit, factor in self.units.items() if factor == 1]
            fields["unit"] = (ones or list(self.units))[0]
        if self.namespace:
            fields["choices"] = synonyms.describe(self.namespace, self.only)
        return fields

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.name, self.zh, *self.aliases)

    @property
    def choices(self) -> Mapping[str, str]:
        """Normalised word → code, for a choice column."""
        return synonyms.words(self.namespace, self.only) if self.namespace else {}


DEFAULT_EXPECT: Mapping[Kind, str] = {
    "code": "value",
    "text": "value",
    "int": "whole_number",
    "count": "whole_number",
    "number": "number",
    "choice": "choice",
    "bool": "bool",
    "date": "date",
}


@dataclass(frozen=True)
class RowCheck:
    """A rule between columns of one row: `bad` (SQL over the typed columns) marks the
    rows that break it; the problem is reported in `column`, with `fields` (name →
    column) filled from the same row."""

    column: str
    code: str
    expect: str
    bad: str
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TableSpec:
    """One raw table and the sheet that feeds it."""

    table: str
    zh: str
    en: str
    sheet_names: tuple[str, ...]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    stored: Mapping[str, str] = field(default_factory=dict)
    # SQL that turns the typed relation named by its argument into the stored rows.
    reshape: Callable[[str], str] | None = None
    one_of: tuple[str, ...] = ()
    row_checks: tuple[RowCheck, ...] = ()
    # Headers not declared here (survey items, section scores) are kept, as text, in this
    # long table: one row per key × header, `item_code` the header and `response` the cell.
    extra_table: str | None = None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def stored_columns(self) -> Mapping[str, str]:
        """Column name → SQL type of the rows as stored (after any reshape)."""
        if self.stored:
            return self.stored
        return {c.name: SQL_TYPES[c.kind] for c in self.columns}


YEAR = dict(kind="int", minimum=1949, maximum=2100, expect="year")
DATA_YEAR = dict(**YEAR, not_after_received=True)  # the year a return reports on
REGION_CODE = dict(
    kind="code", pattern=r"^\d{6}(\d{3}(\d{3})?)?$", expect="region_code", example="330304"
)
PERSONS = {"人": 1.0, "万人": 10_000.0, "persons": 1.0, "person": 1.0, "10kpersons": 10_000.0}
YUAN = {"元": 1.0, "万元": 10_000.0, "yuan": 1.0, "cny": 1.0, "10kyuan": 10_000.0}
# Ceilings as stored: no region has two billion people; no return reaches 10^11 元.
MAX_POPULATION = 2e9
MAX_AMOUNT_YUAN = 1e11
MAX_WEIGHT = 1e7

# Choice columns that accept part of a namespace shared with other columns.
SEX_CODES = ("male", "female")
URBAN_RURAL_CODES = ("urban", "rural")
EDUCATION_CODES = ("primary_or_less", "junior_high", "senior_high", "college", "bachelor_plus")
UNIT_LEVEL_CODES = ("county", "town", "village")  # coverage counts districts, towns or villages

PLAN_ID = dict(
    kind="code", pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", expect="slug", example="ouhai-2021-2025"
)
TARGET_REF = dict(kind="code", pattern=r"^[a-z0-9-]+\.[a-z0-9_-]+$", expect="target_ref")


def _c(name: str, zh: str, *aliases: str, **kw) -> Column:
    return Column(name=name, zh=zh, aliases=aliases, **kw)


def _population_long(relation: str) -> str:
    """Wide population sheets (常住人口 and/or 户籍人口 columns) become one row per type."""
    return " union all ".join(
        f"select source_row, region_code, year, '{kind}' as population_type, "
        f"{kind}_population as population from {relation} "
        f"where {kind}_population is not null"
        for kind in ("resident", "registered")
    )


REGIONS = TableSpec(
    table="regions",
    zh="地区登记表",
    en="Region register",
    sheet_names=("regions", "地区", "地区登记表", "行政区划"),
    columns=(
        _c("region_code", "地区代码", "区划代码", "行政区划代码", "code", **REGION_CODE),
        _c("name_zh", "地区名称", "名称", "name"),
        _c("name_en", "英文名称", "english name", required=False),
        _c("level", "级别", "层级", kind="choice", namespace="region_level"),
        _c("parent_code", "上级代码", "上级地区代码", "parent", required=False, **REGION_CODE),
        _c("is_synthetic", "合成数据", "是否合成", "synthetic", kind="bool", required=False),
    ),
    key=("region_code",),
)

POPULATION = TableSpec(
    table="population",
    zh="人口",
    en="Population",
    sheet_names=("population", "人口"),
    columns=(
        _c("region_code", "地区代码", "区划代码", "code", **REGION_CODE),
        _c("year", "年份", **DATA_YEAR),
        _c(
            "resident_population",
            "常住人口",
            "年末常住人口",
            "resident",
            kind="number",
            required=False,
            units=PERSONS,
            above=0,
            maximum=MAX_POPULATION,
            expect="persons",
        ),
        _c(
            "registered_population",
            "户籍人口",
            "年末户籍人口",
            "registered",
            kind="number",
            required=False,
            units=PERSONS,
            above=0,
            maximum=MAX_POPULATION,
            expect="persons",
        ),
    ),
    key=("region_code", "year", "population_type"),
    stored={
        "region_code": "VARCHAR",
        "year": "INTEGER",
        "population_type": "VARCHAR",
        "population": "DOUBLE",
    },
    reshape=_population_long,
    one_of=("resident_population", "registered_population"),
)

FUNDING = TableSpec(
    table="funding_returns",
    zh="科普经费",
    en="Science-popularization funding returns",
    sheet_names=("funding", "科普经费", "经费", "funding returns"),
    columns=(
        _c("region_code", "地区代码", "区划代码", "code", **REGION_CODE),
        _c("year", "年份", **DATA_YEAR),
        _c(
            "source",
            "来源",
            "经费来源",
            "funding source",
            kind="choice",
            namespace="funding_source",
        ),
        _c(
            "amount",
            "金额",
            "经费",
            "amount",
            kind="number",
            units=YUAN,
            minimum=0,
            maximum=MAX_AMOUNT_YUAN,
            expect="amount",
        ),
        _c("note", "备注", required=False),
    ),
    key=("region_code", "year", "source"),
)

PLANS = TableSpec(
    table="plans",
    zh="规划",
    en="Plans",
    sheet_names=("plans", "规划"),
    columns=(
        _c("plan_id", "规划编号", **PLAN_ID),
        _c("name_zh", "规划名称", "name"),
        _c("name_en", "英文名称", "english name"),
        _c("issuer_zh", "发布单位", "issuer"),
        _c("issuer_en", "发布单位英文", "english issuer", required=False),
        _c("region_code", "地区代码", "code", **REGION_CODE),
        _c("period_start", "起始年份", "start year", **YEAR),
        _c("period_end", "结束年份", "end year", required=False, **YEAR),
        _c(
            "issued_on",
            "发布日期",
            "issued",
            kind="date",
            required=False,
            example="2021-11-23",
        ),
        _c("source_file", "来源文件", "source", required=False),
    ),
    key=("plan_id",),
    row_checks=(
        RowCheck(
            "period_end",
            "period_reversed",
            "not_before_start",
            "period_end < period_start",
            {"start": "period_start"},
        ),
    ),
)

REVIEWS = TableSpec(
    table="plan_reviews",
    zh="评估节点",
    en="Review points",
    sheet_names=("reviews", "评估节点", "review points"),
    columns=(
        _c("plan_id", "规划编号", **PLAN_ID),
        _c("review_year", "评估年份", "year", **YEAR),
        _c("review_kind", "评估类型", "kind", kind="choice", namespace="review_kind"),
    ),
    key=("plan_id", "review_year", "review_kind"),
)

INDICATORS = TableSpec(
    table="indicators",
    zh="指标",
    en="Indicators",
    sheet_names=("indicators", "指标"),
    columns=(
        _c(
            "indicator_code",
            "指标代码",
            "code",
            **{
                **PLAN_ID,
                "pattern": r"^[a-z0-9_]+$",
                "expect": "snake_code",
                "example": "literacy_ratio",
            },
        ),
        _c("name_zh", "指标名称", "name"),
        _c("name_en", "英文名称", "english name"),
        _c("family", "指标类别", "类别", kind="choice", namespace="indicator_family"),
        _c("unit_zh", "单位", "unit"),
        _c("unit_en", "英文单位", "english unit"),
        _c("direction", "方向", "期望方向", kind="choice", namespace="direction"),
        _c("numerator", "分子", kind="choice", namespace="funding_numerator", required=False),
        _c(
            "denominator", "分母", kind="choice", namespace="population_denominator", required=False
        ),
        _c("definition_zh", "定义", required=False),
        _c("definition_en", "英文定义", "definition", required=False),
    ),
    key=("indicator_code",),
)

TARGETS = TableSpec(
    table="targets",
    zh="目标",
    en="Targets",
    sheet_names=("targets", "目标", "目标值"),
    columns=(
        _c("target_id", "目标编号", **TARGET_REF, example="ouhai-2021-2025.literacy"),
        _c("plan_id", "规划编号", **PLAN_ID),
        _c(
            "indicator_code",
            "指标代码",
            kind="code",
            pattern=r"^[a-z0-9_]+$",
            expect="snake_code",
            example="literacy_ratio",
        ),
        _c("region_code", "地区代码", **REGION_CODE),
        _c("kind", "目标类型", "类型", kind="choice", namespace="target_kind"),
        _c("comparator", "比较方式", "比较", kind="choice", namespace="comparator"),
        _c("target_value", "目标值", "target", kind="number"),
        _c("target_value_upper", "目标上限", "upper", kind="number", required=False),
        _c("tolerance", "容差", kind="number", required=False, minimum=0),
        _c("unit_zh", "单位", "unit"),
        _c("unit_en", "英文单位", "english unit", required=False),
        _c("baseline_year", "基期年份", "基线年份", required=False, **YEAR),
        _c(
            "baseline_value",
            "基期值",
            "基线值",
            "baseline",
            kind="number",
            required=False,
        ),
        _c("period_start", "起始年份", "start year", required=False, **YEAR),
        _c("period_end", "结束年份", "end year", required=False, **YEAR),
        _c("target_year", "目标年份", required=False, **YEAR),
        _c("direction", "方向", "期望方向", kind="choice", namespace="direction"),
        _c("lead_departments", "牵头部门", "牵头单位", "lead", required=False),
        _c("cooperating_departments", "配合部门", "配合单位", "cooperating", required=False),
        _c("source_quote", "原文", "出处原文", "quote"),
        _c("note_zh", "备注", required=False),
        _c("note_en", "英文备注", "note", required=False),
    ),
    key=("target_id",),
    row_checks=(
        RowCheck(
            "period_end",
            "period_reversed",
            "not_before_start",
            "period_end < period_start",
            {"start": "period_start"},
        ),
        RowCheck(
            "target_year",
            "before_baseline",
            "not_before_baseline",
            "target_year < baseline_year",
            {"baseline": "baseline_year"},
        ),
    ),
)

MEASURES = TableSpec(
    table="measures",
    zh="任务措施",
    en="Tasks and measures",
    sheet_names=("measures", "措施", "定性措施", "tasks", "任务", "任务措施"),
    columns=(
        _c("measure_id", "措施编号", "任务编号", **TARGET_REF, example="xx-city-2022.m01"),
        _c("plan_id", "规划编号", **PLAN_ID),
        _c(
            "measure_no",
            "序号",
            "number",
            kind="int",
            minimum=1,
            maximum=999,
        ),
        _c("title_zh", "措施名称", "标题", "title"),
        _c("title_en", "英文名称", "english title"),
        _c("summary_zh", "内容摘要", "摘要", required=False),
        _c("summary_en", "英文摘要", "summary", required=False),
        _c("responsible_units", "责任单位", "responsible"),
        _c("source_quote", "原文", "出处原文", "quote", required=False),
        _c("task_kind", "任务类型", kind="choice", namespace="task_kind", required=False),
        _c("lead_units", "牵头单位", "牵头部门", "lead", required=False),
        _c("due_year", "完成年份", "due", required=False, **YEAR),
    ),
    key=("measure_id",),
)

DEPARTMENTS = TableSpec(
    table="departments",
    zh="部门",
    en="Departments",
    sheet_names=("departments", "部门", "责任单位"),
    columns=(
        _c("region_code", "地区代码", "code", **REGION_CODE),
        _c("name_zh", "部门名称", "单位名称", "name"),
        _c("name_en", "英文名称", "english name"),
        _c("short_name_zh", "简称", "short name", required=False),
    ),
    key=("region_code", "name_zh"),
)

WAVE_ID = dict(**{**PLAN_ID, "example": "ouhai-2023"})
RULE_ID = dict(**{**PLAN_ID, "example": "national-2024"})

SURVEY_WAVES = TableSpec(
    table="survey_waves",
    zh="调查批次",
    en="Survey waves",
    sheet_names=("waves", "调查批次", "wave"),
    columns=(
        _c("wave_id", "批次编号", **WAVE_ID),
        _c("year", "调查年份", "年份", **DATA_YEAR),
        _c("region_code", "覆盖地区代码", "地区代码", "coverage", **REGION_CODE),
        _c("title_zh", "调查名称", "title"),
        _c("title_en", "英文名称", "english title", required=False),
        _c("rule_id", "判定规则", "rule", **RULE_ID),
        _c("scoring", "计分方式", kind="choice", namespace="scoring"),
        _c("lonely_psu", "单PSU层处理", "lonely psu", kind="choice", namespace="lonely_psu"),
        _c("note", "备注", required=False),
    ),
    key=("wave_id",),
)

SURVEY_RULES = TableSpec(
    table="survey_rules",
    zh="判定规则",
    en="Literacy rules",
    sheet_names=("rules", "判定规则"),
    columns=(
        _c("rule_id", "规则编号", **RULE_ID),
        _c("name_zh", "规则名称", "name"),
        _c("name_en", "英文名称", "english name", required=False),
        _c(
            "threshold",
            "达标分数线",
            "具备科学素质分数线",
            kind="number",
            minimum=0,
            expect="score",
        ),
        _c("threshold_inclusive", "含分数线", "inclusive", kind="bool", required=False),
        _c("threshold_unit", "分数线单位", "unit", kind="choice", namespace="threshold_unit"),
        _c(
            "advanced_threshold",
            "高水平分数线",
            "advanced",
            kind="number",
            required=False,
            minimum=0,
            expect="score",
        ),
        _c("advanced_inclusive", "高水平含分数线", kind="bool", required=False),
        _c(
            "basic_threshold",
            "基本具备分数线",
            "basic",
            kind="number",
            required=False,
            minimum=0,
            expect="score",
        ),
        _c("basic_inclusive", "基本具备含分数线", kind="bool", required=False),
        _c("source", "依据", required=False),
    ),
    key=("rule_id",),
)

SURVEY_RULE_MINIMA = TableSpec(
    table="survey_rule_minima",
    zh="分项最低分",
    en="Per-dimension minima",
    sheet_names=("minima", "分项最低分", "dimension minima"),
    columns=(
        _c("rule_id", "规则编号", **RULE_ID),
        _c("dimension", "维度", "分项"),
        _c("min_score", "最低分", "minimum", kind="number", minimum=0, expect="score"),
    ),
    key=("rule_id", "dimension"),
)

SURVEY_ITEMS = TableSpec(
    table="survey_items",
    zh="答案",
    en="Answer key",
    sheet_names=("answer key", "答案", "题目", "items"),
    columns=(
        _c("wave_id", "批次编号", **WAVE_ID),
        _c("item_code", "题号", "item"),
        _c("dimension", "维度", "分项"),
        _c("correct_answers", "正确答案", "answer", "answers"),
        _c("points", "分值", "score", kind="number", minimum=0, maximum=100, expect="score"),
    ),
    key=("wave_id", "item_code"),
)

SURVEY_RESPONDENTS = TableSpec(
    table="survey_respondents",
    zh="受访者",
    en="Respondents",
    sheet_names=("respondents", "受访者", "样本", "microdata"),
    columns=(
        _c("wave_id", "批次编号", **WAVE_ID),
        _c("respondent_id", "受访者编号", "样本编号", "id"),
        _c("region_code", "地区代码", **REGION_CODE),
        _c("stratum", "层", "抽样层"),
        _c("psu", "初级抽样单元", "PSU编号"),
        _c("weight", "权重", "wt", kind="number", above=0, maximum=MAX_WEIGHT, expect="weight"),
        _c("sex", "性别", "gender", kind="choice", namespace="survey_group", only=SEX_CODES),
        _c("age", "年龄", kind="int", minimum=15, maximum=100, expect="age"),
        _c(
            "urban_rural",
            "城乡",
            "城乡属性",
            kind="choice",
            namespace="survey_group",
            only=URBAN_RURAL_CODES,
        ),
        _c(
            "education",
            "文化程度",
            "受教育程度",
            kind="choice",
            namespace="survey_group",
            only=EDUCATION_CODES,
        ),
        _c("occupation", "职业"),
        _c(
            "fpc",
            "有限总体校正",
            "总体PSU数",
            kind="number",
            required=False,
            above=0,
            expect="fpc",
        ),
    ),
    key=("wave_id", "respondent_id"),
    extra_table="survey_responses",
)

MEASUREMENT_RULES = TableSpec(
    table="measurement_rules",
    zh="计量规则",
    en="Measurement rules",
    sheet_names=("measurement rules", "计量规则", "rules for counts"),
    columns=(
        _c("target_id", "目标编号", **TARGET_REF, example="ouhai-2021-2025.literacy"),
        _c("source", "数据来源", kind="choice", namespace="record_source"),
        _c("measure", "计量方式", kind="choice", namespace="count_measure"),
        _c("activity_types", "活动类型", required=False),
        _c("target_groups", "对象群体", required=False),
        _c("entity_types", "登记类型", required=False),
        _c("facility_types", "设施类型", required=False),
        _c(
            "unit_level",
            "单位层级",
            kind="choice",
            namespace="region_level",
            only=UNIT_LEVEL_CODES,
            required=False,
        ),
        _c(
            "unit_threshold",
            "单位达标值",
            "per-unit threshold",
            kind="number",
            required=False,
            minimum=0,
        ),
        _c("note", "说明", required=False),
    ),
    key=("target_id",),
)

UNIT_REGISTER = TableSpec(
    table="unit_register",
    zh="行政单位名录",
    en="Administrative unit register",
    sheet_names=("unit register", "行政单位名录", "单位名录"),
    columns=(
        _c("year", "年份", **DATA_YEAR),
        _c("region_code", "单位代码", "地区代码", **REGION_CODE),
        _c("unit_name", "单位名称", "name", required=False),
    ),
    key=("year", "region_code"),
)

FACILITIES = TableSpec(
    table="facilities",
    zh="科普设施",
    en="Facility inventory",
    sheet_names=("facilities", "科普设施", "设施清单"),
    columns=(
        _c("year", "年份", **DATA_YEAR),
        _c("region_code", "单位代码", "地区代码", **REGION_CODE),
        _c("facility_type", "设施类型", "type", kind="choice", namespace="facility_type"),
        _c("facility_id", "设施编号", "id"),
        _c("facility_name", "设施名称", required=False),
        _c("status", "状态", kind="choice", namespace="facility_status", required=False),
        _c("opened_year", "建成年份", required=False, **YEAR),
        _c(
            "content_updates",
            "内容更新次数",
            "updates",
            kind="int",
            required=False,
            minimum=0,
            maximum=366,
        ),
    ),
    key=("year", "region_code", "facility_type", "facility_id"),
)

ACTIVITIES = TableSpec(
    table="activities",
    zh="科普活动",
    en="Activity and training log",
    sheet_names=("activities", "科普活动", "活动记录", "培训记录"),
    columns=(
        _c("activity_id", "活动编号", "id"),
        _c(
            "activity_date",
            "日期",
            "活动日期",
            "date",
            kind="date",
            not_after_received=True,
            example="2023-05-20",
        ),
        _c("region_code", "地区代码", **REGION_CODE),
        _c("activity_type", "活动类型", "type"),
        _c("target_group", "对象群体", "对象", required=False),
        _c(
            "sessions",
            "场次",
            kind="int",
            required=False,
            minimum=0,
            maximum=100_000,
        ),
        _c(
            "participants",
            "人次",
            "参加人次",
            "参与人次",
            kind="int",
            required=False,
            minimum=0,
            maximum=10_000_000,
        ),
        _c(
            "amount",
            "金额",
            kind="number",
            required=False,
            units=YUAN,
            minimum=0,
            maximum=MAX_AMOUNT_YUAN,
            expect="amount",
        ),
        _c("organiser", "主办单位", "organizer", required=False),
        _c("title", "活动名称", "名称", required=False),
        _c(
            "participant_ids",
            "参加对象编号",
            "学员编号",
            "参训人员编号",
            "覆盖对象编号",
            "participant ids",
            required=False,
            expect="participant_ids",
        ),
    ),
    key=("activity_id",),
)

ENTITY_REGISTER = TableSpec(
    table="entity_register",
    zh="登记名册",
    en="Registers of volunteers, bases, studios, schools",
    sheet_names=("registers", "登记名册", "名册", "volunteers", "志愿者"),
    columns=(
        _c("entity_type", "登记类型", "type"),
        _c("entity_id", "编号", "id"),
        _c("region_code", "地区代码", **REGION_CODE),
        _c("entity_name", "名称", "姓名", "name", required=False),
        _c(
            "registered_on",
            "登记日期",
            "注册日期",
            "认定日期",
            kind="date",
            not_after_received=True,
            example="2022-03-01",
        ),
        _c(
            "exited_on",
            "注销日期",
            "退出日期",
            kind="date",
            required=False,
            not_after_received=True,
            example="2024-06-30",
        ),
    ),
    key=("entity_type", "entity_id"),
    row_checks=(
        RowCheck(
            "exited_on",
            "exit_before_entry",
            "not_before_entry",
            "exited_on < registered_on",
            {"entry": "registered_on"},
        ),
    ),
)

MEASURE_REPORTS = TableSpec(
    table="measure_reports",
    zh="任务进展",
    en="Task and measure progress reports",
    sheet_names=("measure reports", "措施进展", "进展报告", "任务进展", "task reports"),
    columns=(
        _c("measure_id", "措施编号", "任务编号", **TARGET_REF, example="xx-city-2022.m01"),
        _c("responsible_unit", "责任单位", "unit"),
        _c("period", "报告期", "reporting period"),
        _c("status", "进展状态", "状态", kind="choice", namespace="measure_status"),
        _c("evidence", "佐证材料", "进展说明", required=False),
        _c("document_ref", "文件编号", "document", required=False),
        _c(
            "reported_on",
            "报送日期",
            "date",
            kind="date",
            not_after_received=True,
            example="2024-01-15",
        ),
    ),
    key=("measure_id", "responsible_unit", "period"),
)

# The evaluator's own text for sections 4-6 of one assessment report (主要成效, 存在问题,
# 下一步工作建议); a section the evaluator wrote replaces the draft drawn from the data.
EVALUATOR_NOTES = TableSpec(
    table="evaluator_notes",
    zh="评估意见",
    en="Evaluator notes",
    sheet_names=("evaluator notes", "评估意见", "评估人意见"),
    columns=(
        _c("plan_id", "规划编号", "plan", **PLAN_ID),
        _c(
            "review_kind",
            "评估类型",
            "kind",
            kind="choice",
            namespace="review_kind",
            only=("monitoring", "midterm", "final", "checkpoint"),
        ),
        _c("as_of", "评估截止日期", "as-of date", "as of", kind="date", example="2026-03-31"),
        _c("section", "报告章节", "章节", kind="choice", namespace="report_section"),
        _c("note_order", "序号", "order", kind="int", minimum=1, maximum=99),
        _c("text_zh", "意见内容", "中文内容", "chinese text", required=False),
        _c("text_en", "英文内容", "english text", "text", required=False),
        _c("author", "评估人", "evaluator"),
        _c(
            "written_on",
            "撰写日期",
            "date",
            kind="date",
            not_after_received=True,
            example="2026-04-20",
        ),
    ),
    key=("plan_id", "review_kind", "as_of", "section", "note_order"),
    row_checks=(
        RowCheck("text_zh", "required", "note_text", "text_zh is null and text_en is null"),
    ),
)

RECORDS = (UNIT_REGISTER, FACILITIES, ACTIVITIES, ENTITY_REGISTER, MEASURE_REPORTS)
SURVEY = (SURVEY_RULES, SURVEY_RULE_MINIMA, SURVEY_WAVES, SURVEY_ITEMS, SURVEY_RESPONDENTS)
REGISTRY = (PLANS, REVIEWS, INDICATORS, TARGETS, MEASURES, DEPARTMENTS, MEASUREMENT_RULES)
ALL_SPECS = (REGIONS, *REGISTRY, POPULATION, FUNDING, *SURVEY, *RECORDS, EVALUATOR_NOTES)
EXTRA_TABLES = {
    "survey_responses": {
        "wave_id": "VARCHAR",
        "respondent_id": "VARCHAR",
        "item_code": "VARCHAR",
        "response": "VARCHAR",
    }
}
SPECS_BY_TABLE = {s.table: s for s in ALL_SPECS}

# Template kinds for `kepu template KIND`: which sheets each workbook holds.
TEMPLATES: Mapping[str, tuple[TableSpec, ...]] = {
    "registry": REGISTRY,
    "regions": (REGIONS,),
    "population": (POPULATION,),
    "funding": (FUNDING,),
    "survey": SURVEY,
    "facilities": (UNIT_REGISTER, FACILITIES),
    "activities": (ACTIVITIES,),
    "registers": (ENTITY_REGISTER,),
    "measure-reports": (MEASURE_REPORTS,),
    "evaluator-notes": (EVALUATOR_NOTES,),
}

# Lists of departments in one cell: '区科协、区教育局'. A separator inside parentheses
# belongs to a name ('各县(市、区)党委'). Stored lists are joined with LIST_JOINER.
LIST_SEPARATORS = r"[、,，;；]+(?![^(（]*[)）])"
LIST_JOINER = "；"


def _accepted(spec: TableSpec, column: str) -> Mapping[str, str]:
    return spec.column(column).choices


# Word → code of each choice column: the value sets the Great Expectations suites check.
LEVELS = _accepted(REGIONS, "level")
FUNDING_SOURCES = _accepted(FUNDING, "source")
REVIEW_KINDS = _accepted(REVIEWS, "review_kind")
FAMILIES = _accepted(INDICATORS, "family")
DIRECTIONS = _accepted(INDICATORS, "direction")
TARGET_KINDS = _accepted(TARGETS, "kind")
COMPARATORS = _accepted(TARGETS, "comparator")
SEXES = _accepted(SURVEY_RESPONDENTS, "sex")
URBAN_RURAL = _accepted(SURVEY_RESPONDENTS, "urban_rural")
EDUCATION = _accepted(SURVEY_RESPONDENTS, "education")
LONELY_PSU = _accepted(SURVEY_WAVES, "lonely_psu")
SCORING = _accepted(SURVEY_WAVES, "scoring")
THRESHOLD_UNITS = _accepted(SURVEY_RULES, "threshold_unit")
SOURCES = _accepted(MEASUREMENT_RULES, "source")
MEASURES_COUNTED = _accepted(MEASUREMENT_RULES, "measure")
FACILITY_TYPES = _accepted(FACILITIES, "facility_type")
MEASURE_STATUSES = _accepted(MEASURE_REPORTS, "status")
REPORT_SECTIONS = _accepted(EVALUATOR_NOTES, "section")
NOTE_REVIEW_KINDS = _accepted(EVALUATOR_NOTES, "review_kind")


# ---------------------------------------------------------------------------------------
# The national 科普统计 returns (全国科普统计调查, KP-001 … KP-005), in the shape the online
# system exports them: one workbook per area and year, a 单位信息 sheet (one row per
# reporting unit) and one sheet per table, one row per form, indicators as columns headed
# by their Chinese names (the 2003–04 KR/KJ/KM codes as aliases).
#
# The indicators are the seed dbt_project/seeds/kp_indicators.csv, the only list of them:
# the columns here and the models' long form are both made from it. Each is a `count`
# column (a whole number ≥ 0, `0` for zero, `-` for "not reported" kept as NULL); a blank
# cell is refused. Money is written in 万元 (the header must say so) and stored in 元 by
# the reader's unit factor.
KP_INDICATORS_FILE = Path(__file__).resolve().parent.parent / "dbt_project/seeds/kp_indicators.csv"
# The form's money unit: its factor to 元 is the one every loader uses.
KP_FORM_UNITS: Mapping[str, Mapping[str, float]] = {
    "万元": {"万元": YUAN["万元"], "10kyuan": YUAN["10kyuan"]},
}
KP_UNIT_CODE = dict(
    kind="code", pattern=r"^[0-9A-Z]{9,18}$", expect="unit_code", example="12330304MB0123456K"
)
KP_FORM_LEVELS = ("ministry", "province", "city", "county")


@dataclass(frozen=True)
class KpIndicator:
    """One row of kp_indicators.csv: an indicator of a KP table, a column of its sheet
    unless it counts the venue forms of one venue type."""

    table: str
    name: str
    zh: str
    aliases: tuple[str, ...]
    form_unit: str
    value_unit: str
    form_part: str
    venue_type: str

    @property
    def column(self) -> Column:
        return Column(
            name=self.name,
            zh=self.zh,
            aliases=self.aliases,
            kind="count",
            minimum=0,
            units=KP_FORM_UNITS[self.form_unit] if self.form_unit else None,
            expect="kp_amount" if self.form_unit else "kp_count",
        )


def _kp_indicators() -> tuple[KpIndicator, ...]:
    with KP_INDICATORS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: int(r["sort_order"]))
    return tuple(
        KpIndicator(
            table=r["kp_table"],
            name=r["indicator_code"],
            zh=r["header_zh"],
            aliases=tuple(a for a in r["header_aliases"].split("|") if a),
            form_unit=r["form_unit"],
            value_unit=r["value_unit"],
            form_part=r["form_part"],
            venue_type=r["venue_type"],
        )
        for r in rows
    )


KP_INDICATORS = _kp_indicators()


def kp_indicators(table: str, part: str | None = None) -> tuple[KpIndicator, ...]:
    """The columns of one KP table in form order (those of one form_part, if given)."""
    return tuple(
        i
        for i in KP_INDICATORS
        if i.table == table and i.form_part != "venue_count" and part in (None, i.form_part)
    )


KP_PERSONS_INDICATORS = kp_indicators("kp_persons")
# Venue items are reported on a venue's own form, site items on the unit's other form:
# a row check refuses either on the wrong form, so no item is ever counted twice.
KP_VENUE_ITEMS = kp_indicators("kp_venues", "venue_item")
KP_SITE_ITEMS = kp_indicators("kp_venues", "site_item")
KP_FUNDING_INDICATORS = kp_indicators("kp_funding")
KP_FUNDING_SOURCES = kp_indicators("kp_funding", "source")
KP_FUNDING_USES = kp_indicators("kp_funding", "use")
KP_MEDIA_INDICATORS = kp_indicators("kp_media")
KP_ACTIVITY_INDICATORS = kp_indicators("kp_activities")

_KP_UNIT = _c("unit_code", "单位代码", "组织机构代码", "统一社会信用代码", **KP_UNIT_CODE)
_KP_YEAR = _c("year", "年份", "统计年度", **DATA_YEAR)
_KP_EXPLANATION = _c("explanation", "说明", "变动说明", "explanation of change", required=False)


def _kp_table(
    table: str,
    zh: str,
    en: str,
    sheet_names: tuple[str, ...],
    indicators: tuple[KpIndicator, ...],
    before: tuple[Column, ...] = (),
    key: tuple[str, ...] = ("unit_code", "year"),
    row_checks: tuple[RowCheck, ...] = (),
) -> TableSpec:
    columns = (
        _KP_UNIT,
        _KP_YEAR,
        *before,
        *(i.column for i in indicators),
        _KP_EXPLANATION,
    )
    return TableSpec(
        table=table,
        zh=zh,
        en=en,
        sheet_names=sheet_names,
        columns=columns,
        key=key,
        row_checks=row_checks,
    )


def _kp_sum(indicators: tuple[KpIndicator, ...]) -> str:
    return " + ".join(f"coalesce({i.name}, 0)" for i in indicators)


def _kp_filled(indicators: tuple[KpIndicator, ...]) -> str:
    return " or ".join(f"{i.name} is not null" for i in indicators)


def _in_form_unit(sql: str, indicator: KpIndicator) -> str:
    """SQL: a stored amount back in the unit the form writes it in (for a message)."""
    factor = KP_FORM_UNITS[indicator.form_unit][indicator.form_unit]
    return f"cast(({sql}) / {factor!r} as bigint)"


KP_UNITS = TableSpec(
    table="kp_units",
    zh="科普统计单位信息",
    en="科普 statistics: reporting units",
    sheet_names=("kp units", "单位信息", "封面", "reporting units"),
    columns=(
        _KP_UNIT,
        _c("unit_name", "单位全称", "单位名称", "unit name"),
        _c(
            "department_category",
            "主管部门类别",
            "机构主管部门类别代码",
            "主管部门类别代码",
            kind="choice",
            namespace="kp_department",
        ),
        _c("form_level", "调查表类型", "form level", kind="choice", namespace="kp_form_level"),
        _c("region_code", "所在地", "单位所在地", "所在地代码", "location", **REGION_CODE),
        _c("filled_on", "填表时间", "填表日期", "filled on", kind="date", example="2024-05-20"),
        _KP_YEAR,
    ),
    key=("unit_code", "year"),
)

KP_PERSONS = _kp_table(
    "kp_persons",
    "科普人员",
    "科普 statistics KP-001: personnel",
    ("kp persons", "KP-001 科普人员", "KP-001", "KP001"),
    KP_PERSONS_INDICATORS,
)

KP_VENUES = _kp_table(
    "kp_venues",
    "科普场地",
    "科普 statistics KP-002: venues and sites",
    ("kp venues", "KP-002 科普场地", "KP-002", "KP002"),
    kp_indicators("kp_venues"),
    before=(
        _c("venue_id", "场馆编号", "表单编号", "venue id"),
        _c("venue_name", "场馆名称", "venue name", required=False),
        _c("venue_type", "场地类型", "表单类型", "venue type", kind="choice", namespace="kp_venue"),
        _c("opened_year", "建成年份", "建成开放年份", "opened", required=False, **YEAR),
    ),
    key=("unit_code", "year", "venue_id"),
    row_checks=(
        RowCheck(
            "opened_year",
            "opened_after_year",
            "stock_at_year_end",
            "opened_year > year",
            {"year": "year"},
        ),
        RowCheck(
            "venue_type",
            "venue_item_on_unit_form",
            "unit_form_items",
            f"venue_type = 'unit_form' and ({_kp_filled(KP_VENUE_ITEMS)})",
        ),
        RowCheck(
            "venue_type",
            "site_item_on_venue_form",
            "venue_form_items",
            f"venue_type <> 'unit_form' and ({_kp_filled(KP_SITE_ITEMS)})",
        ),
    ),
)

KP_FUNDING = _kp_table(
    "kp_funding",
    "科普统计经费",
    "科普 statistics KP-003: funding raised and used",
    ("kp funding", "KP-003 科普经费", "KP-003", "KP003"),
    KP_FUNDING_INDICATORS,
    row_checks=(
        RowCheck(
            "raised_total",
            "sources_unbalanced",
            "sources_balance",
            f"coalesce(raised_total, 0) <> {_kp_sum(KP_FUNDING_SOURCES)}",
            {"parts": _in_form_unit(_kp_sum(KP_FUNDING_SOURCES), KP_FUNDING_SOURCES[0])},
        ),
        RowCheck(
            "special_funding",
            "special_above_government",
            "within_government",
            "special_funding > coalesce(government_funding, 0)",
            {"government": _in_form_unit("government_funding", KP_FUNDING_SOURCES[0])},
        ),
        RowCheck(
            "used_total",
            "uses_unbalanced",
            "uses_balance",
            f"coalesce(used_total, 0) <> {_kp_sum(KP_FUNDING_USES)}",
            {"parts": _in_form_unit(_kp_sum(KP_FUNDING_USES), KP_FUNDING_USES[0])},
        ),
    ),
)

KP_MEDIA = _kp_table(
    "kp_media",
    "科普传媒",
    "科普 statistics KP-004: media",
    ("kp media", "KP-004 科普传媒", "KP-004", "KP004"),
    KP_MEDIA_INDICATORS,
)

KP_ACTIVITIES = _kp_table(
    "kp_activities",
    "科普统计活动",
    "科普 statistics KP-005: activities",
    ("kp activities", "KP-005 科普活动", "KP-005", "KP005"),
    KP_ACTIVITY_INDICATORS,
)

# The 科普统计 tables join every list of specs and the templates.
KP_STATISTICS = (KP_UNITS, KP_PERSONS, KP_VENUES, KP_FUNDING, KP_MEDIA, KP_ACTIVITIES)
ALL_SPECS = (*ALL_SPECS, *KP_STATISTICS)
SPECS_BY_TABLE = {s.table: s for s in ALL_SPECS}
TEMPLATES = {**TEMPLATES, "kepu-statistics": KP_STATISTICS}
KP_DEPARTMENTS = _accepted(KP_UNITS, "department_category")
KP_FORM_LEVEL_CODES = _accepted(KP_UNITS, "form_level")
KP_VENUE_TYPES = _accepted(KP_VENUES, "venue_type")
