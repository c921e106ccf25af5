"""The registry of the five plans (registry/*.csv) is consistent with itself, with the code
lists and with the plan documents: every quote occurs in its plan's text after the README's
normalisation, every code is a code, years fit the plan periods, every unit is a known
department, and every goal has what its kind needs to be judged."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import vocabulary
from ingest.home import REGISTRY_DIR
from ingest.specs import LIST_SEPARATORS

SOURCES = REGISTRY_DIR / "sources"
# Kinds judged from the records a measurement rule selects, and what the rule counts.
RULE_MEASURES = {
    "gap": {"gap_change"},
    "dispersion": {"dispersion_change", "coverage_dispersion"},
    "coverage": {"reach_coverage", "reach_coverage_cumulative"},
}
FAMILIES_WITH_RULES = {"count", "stock", "coverage", "coverage_dispersion", "survey_dispersion"}


def read(name: str) -> list[dict[str, str]]:
    with (REGISTRY_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def normalise(text: str) -> str:
    """README, "XX city text": the page markers of the shared copy ("\\n2、") are removed;
    whitespace (line breaks, the indentation of the Shenzhen copy) is ignored."""
    return re.sub(r"\s+", "", re.sub(r"\n\d+、", "", text))


def units(cell: str) -> list[str]:
    return [u.strip() for u in re.split(LIST_SEPARATORS, cell) if u.strip()] if cell else []


PLANS = {p["plan_id"]: p for p in read("plans.csv")}
TARGETS = read("targets.csv")
MEASURES = read("measures.csv")
RULES = {r["target_id"]: r for r in read("measurement_rules.csv")}
INDICATORS = {i["indicator_code"]: i for i in read("indicators.csv")}
DEPARTMENTS = {(d["region_code"], d["name_zh"]) for d in read("departments.csv")}
REVIEWS = read("reviews.csv")


def text_of(plan_id: str) -> str:
    return normalise((SOURCES / PLANS[plan_id]["source_file"]).read_text(encoding="utf-8"))


def test_the_normalisation_removes_page_markers_and_whitespace() -> None:
    assert normalise("科普工\n2、作,提高\n  基层") == "科普工作,提高基层"


@pytest.mark.parametrize(
    "row", TARGETS + MEASURES, ids=lambda r: r.get("target_id") or r["measure_id"]
)
def test_every_quote_occurs_in_its_plan_s_text(row: dict[str, str]) -> None:
    assert row["source_quote"], "every registry row keeps its source sentence"
    assert normalise(row["source_quote"]) in text_of(row["plan_id"])


def test_every_code_is_a_code_of_codes_csv() -> None:
    def check(namespace: str, values: list[str]) -> list[str]:
        return [v for v in values if v and v not in vocabulary.codes(namespace)]

    bad = {
        "target_kind": check("target_kind", [t["kind"] for t in TARGETS]),
        "comparator": check("comparator", [t["comparator"] for t in TARGETS]),
        "direction": check("direction", [t["direction"] for t in TARGETS]),
        "family": check("indicator_family", [i["family"] for i in INDICATORS.values()]),
        "source": check("record_source", [r["source"] for r in RULES.values()]),
        "measure": check("count_measure", [r["measure"] for r in RULES.values()]),
        "unit_level": check("region_level", [r["unit_level"] for r in RULES.values()]),
        "task_kind": check("task_kind", [m["task_kind"] for m in MEASURES]),
        "review_kind": check("review_kind", [r["review_kind"] for r in REVIEWS]),
    }
    assert {k: v for k, v in bad.items() if v} == {}
    assert "qualitative" not in {t["kind"] for t in TARGETS}  # tasks are in measures.csv


def test_target_years_fit_the_plan_period() -> None:
    wrong = []
    for t in TARGETS:
        plan = PLANS[t["plan_id"]]
        start, end = int(t["period_start"]), int(t["period_end"])
        plan_end = int(plan["period_end"]) if plan["period_end"] else 9999
        if not int(plan["period_start"]) <= start <= end <= plan_end:
            wrong.append((t["target_id"], "period"))
        if t["kind"] in ("annual", "growth"):
            if t["target_year"]:
                wrong.append((t["target_id"], "an every-year target has no target year"))
        elif not start <= int(t["target_year"]) <= end:
            wrong.append((t["target_id"], "target year"))
        if t["baseline_year"] and int(t["baseline_year"]) >= start:
            wrong.append((t["target_id"], "baseline before the period"))
    assert wrong == []


def test_tasks_are_due_at_their_plan_s_end_or_not_at_all() -> None:
    for m in MEASURES:
        plan = PLANS[m["plan_id"]]
        if not plan["period_end"]:
            assert m["due_year"] == "", m["measure_id"]
        else:
            assert int(plan["period_start"]) <= int(m["due_year"]) <= int(plan["period_end"])


def test_review_points_lie_in_the_period_and_xx_city_names_none() -> None:
    for r in REVIEWS:
        plan = PLANS[r["plan_id"]]
        assert int(plan["period_start"]) <= int(r["review_year"]) <= int(plan["period_end"])
    assert "xx-city-2022" not in {r["plan_id"] for r in REVIEWS}
    assert "names no review years" in (REGISTRY_DIR / "README.md").read_text(encoding="utf-8")


def test_every_unit_is_a_known_department_of_the_plan_s_region() -> None:
    unknown = []
    for row in TARGETS + MEASURES:
        region = PLANS[row["plan_id"]]["region_code"]
        for column in ("lead_departments", "cooperating_departments", "responsible_units"):
            unknown += [(row["plan_id"], u) for u in units(row.get(column, ""))
                        if (region, u) not in DEPARTMENTS]  # fmt: skip
    assert unknown == []


def test_lead_units_are_among_the_responsible_units() -> None:
    for m in MEASURES:
        assert set(units(m["lead_units"])) <= set(units(m["responsible_units"])), m["measure_id"]


def test_every_plan_has_tasks_and_safeguards() -> None:
    kinds = {(m["plan_id"], m["task_kind"]) for m in MEASURES}
    assert kinds == {(p, k) for p in PLANS for k in ("task", "safeguard")}
    xx = [m for m in MEASURES if m["plan_id"] == "xx-city-2022"]
    assert len(xx) == 21 and all(not m["lead_units"] for m in xx)


def test_every_target_has_an_indicator_and_the_rule_its_kind_needs() -> None:
    missing = []
    for t in TARGETS:
        indicator = INDICATORS.get(t["indicator_code"])
        rule = RULES.get(t["target_id"])
        if indicator is None:
            missing.append((t["target_id"], "indicator"))
            continue
        needed = RULE_MEASURES.get(t["kind"])
        if needed and (rule is None or rule["measure"] not in needed):
            missing.append((t["target_id"], f"a {'/'.join(sorted(needed))} rule"))
        if indicator["family"] in FAMILIES_WITH_RULES and rule is None:
            missing.append((t["target_id"], "a measurement rule"))
    assert missing == []
    assert set(RULES) <= {t["target_id"] for t in TARGETS}


def test_gap_rules_name_two_groups_and_full_coverage_is_100() -> None:
    for t in TARGETS:
        if t["kind"] == "gap":
            groups = units(RULES[t["target_id"]]["target_groups"])
            assert len(groups) == 2 and set(groups) <= set(vocabulary.codes("survey_group"))
        if t["kind"] == "coverage":
            assert (t["comparator"], float(t["target_value"])) == ("ge", 100.0)
        if t["kind"] in ("gap", "dispersion"):
            assert (t["comparator"], t["direction"], float(t["target_value"])) == (
                "lt", "decrease", 0.0,
            )  # fmt: skip


def test_the_goals_without_a_number_are_registered() -> None:
    kinds = {(t["plan_id"], t["kind"]) for t in TARGETS}
    assert {
        ("ouhai-2021-2025", "gap"),
        ("ouhai-2021-2025", "growth"),
        ("beijing-2021-2035", "gap"),
        ("beijing-2021-2035", "dispersion"),
        ("beijing-2021-2035", "coverage"),
        ("beijing-2021-2035", "context"),
        ("shenzhen-2017-2020", "coverage"),
        ("zengcheng-2016-2020", "coverage"),
    } <= kinds
    beijing_2035 = [t for t in TARGETS if t["plan_id"] == "beijing-2021-2035"
                    and t["target_year"] == "2035"]  # fmt: skip
    assert {t["kind"] for t in beijing_2035} == {"level", "gap", "dispersion"}


def test_the_sources_are_the_plans_documents() -> None:
    assert sorted(p.name for p in SOURCES.glob("*.txt")) == sorted(
        p["source_file"] for p in PLANS.values()
    )
    assert all(Path(SOURCES / p["source_file"]).stat().st_size > 10_000 for p in PLANS.values())
