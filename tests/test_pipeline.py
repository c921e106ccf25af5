"""The demo data through the real Dagster job: registry, funding, snapshot, CLI."""

from __future__ import annotations

import io
from collections import defaultdict

import dagster as dg
import openpyxl
import pandas as pd
import pytest

from ingest.home import KepuHome
from orchestration.cli import main


def kepu_sql(query: str, capsys: pytest.CaptureFixture[str]) -> pd.DataFrame:
    assert main(["sql", query, "--csv"]) == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"region_code": str})


def _sheet_rows(path) -> list[tuple]:
    """The data rows of a demo workbook's data sheet, read with openpyxl, not our reader."""
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = next(ws for ws in book.worksheets if ws.title != "说明")
    rows = [r for r in sheet.iter_rows(values_only=True) if any(c is not None for c in r)]
    return [r for r in rows if str(r[0]).isdigit()]


def test_the_snapshot_holds_the_five_seed_plans(demo_home: KepuHome, capsys) -> None:
    plans = kepu_sql("select plan_id, target_count, measure_count from dim_plan", capsys)
    # tasks + safeguards (保障措施) as the plan documents list them: Shenzhen's 9 重点任务,
    # Zengcheng's 10 tasks, Ouhai's 7 projects, Beijing's 5 actions and 6 projects, XX
    # city's 18 measures; then each plan's safeguards
    assert dict(zip(plans.plan_id, plans.measure_count, strict=True)) == {
        "shenzhen-2017-2020": 9 + 5,
        "xx-city-2022": 18 + 3,
        "zengcheng-2016-2020": 10 + 4,
        "ouhai-2021-2025": 7 + 4,
        "beijing-2021-2035": 5 + 6 + 6,
    }
    assert plans.set_index("plan_id").loc["xx-city-2022", "target_count"] == 0


@pytest.mark.parametrize(
    ("target_id", "comparator", "value", "year", "baseline"),
    [
        ("shenzhen-2017-2020.literacy", "ge", 22, 2020, None),
        ("shenzhen-2017-2020.community-facility-coverage", "ge", 70, 2020, None),
        ("zengcheng-2016-2020.literacy", "ge", 10, 2020, None),
        ("zengcheng-2016-2020.per-capita-funding", "ge", 20, 2020, None),
        ("ouhai-2021-2025.literacy", "ge", 18, 2025, None),
        ("ouhai-2021-2025.tech-volunteers", "ge", 300, 2025, None),
        ("beijing-2021-2035.literacy", "approx", 28, 2025, (2020, 24.07)),
    ],
)
def test_the_plans_targets_are_in_the_registry(
    demo_home: KepuHome, capsys, target_id, comparator, value, year, baseline
) -> None:
    target = kepu_sql(
        "select comparator, target_value, target_year, baseline_year, baseline_value, "
        f"source_quote from fct_plan_target where target_id = '{target_id}'",
        capsys,
    ).iloc[0]
    expected = (comparator, value, year)
    assert (target.comparator, target.target_value, target.target_year) == expected
    if baseline:
        assert (target.baseline_year, target.baseline_value) == baseline
    assert str(value) in target.source_quote


def test_beijing_about_28_percent_carries_its_tolerance(demo_home: KepuHome, capsys) -> None:
    label = kepu_sql(
        "select target_label_zh, target_label_en, tolerance from fct_plan_target "
        "where target_id = 'beijing-2021-2035.literacy'",
        capsys,
    ).iloc[0]
    expected = ("≈28%（±1）", "≈28% (±1)", 1.0)
    assert (label.target_label_zh, label.target_label_en, label.tolerance) == expected


def test_the_xx_city_has_21_measures_each_with_responsible_units(
    demo_home: KepuHome, capsys
) -> None:
    measures = kepu_sql(
        "select measure_no, responsible_unit_count from fct_plan_measure "
        "where plan_id = 'xx-city-2022' order by measure_no",
        capsys,
    )
    assert measures.measure_no.tolist() == list(range(1, 22))
    assert (measures.responsible_unit_count >= 1).all()
    units = kepu_sql(
        "select department_name_zh from bridge_measure_unit "
        "where measure_id = 'xx-city-2022.m19' order by 1",
        capsys,
    )
    assert "各县(市、区)党委" in units.department_name_zh.tolist()


def test_ouhai_per_capita_funding_matches_the_plan(demo_home: KepuHome, capsys) -> None:
    values = kepu_sql(
        "select year, round(value, 2) as value from fct_indicator_value "
        "where indicator_code = 'per_capita_special_funding_registered' "
        "and region_code = '330304' and year in (2015, 2020) order by year",
        capsys,
    )
    assert values.values.tolist() == [[2015, 2.67], [2020, 3.62]]


def test_ouhai_five_year_totals_match_the_plan(demo_home: KepuHome) -> None:
    """十二五 ¥4.26 million and 十三五 ¥7.06 million, read from the demo workbook itself."""
    totals: dict[str, float] = defaultdict(float)
    rows = [r for p in sorted(demo_home.demo.glob("funding_20*.xlsx")) for r in _sheet_rows(p)]
    for _, year, source, amount in [r for r in rows if r[0] == "330304"]:
        if source == "special_fund":
            totals["2011-2015" if year <= 2015 else "2016-2020" if year <= 2020 else "later"] += (
                amount
            )
    assert round(totals["2011-2015"], 2) == 426.00
    assert round(totals["2016-2020"], 2) == 706.00


def test_zengcheng_total_funding_sums_district_and_town_returns(
    demo_home: KepuHome, capsys
) -> None:
    """Hand calculation from the workbooks: all sources but the special fund, all units."""
    funding = sum(
        amount * 10_000
        for code, year, source, amount in _sheet_rows(demo_home.demo / "funding_2020.xlsx")
        if year == 2020 and source != "special_fund" and code.startswith("440118")
    )
    (resident,) = [
        r[2] * 10_000
        for r in _sheet_rows(demo_home.demo / "population_2020.xlsx")
        if r[0] == "440118" and r[1] == 2020
    ]
    value = kepu_sql(
        "select value, numerator_value, denominator_value, reporting_regions "
        "from fct_indicator_value where indicator_code = 'per_capita_funding' "
        "and region_code = '440118' and year = 2020",
        capsys,
    ).iloc[0]
    assert value.numerator_value == pytest.approx(funding, rel=1e-12)
    assert value.denominator_value == pytest.approx(resident, rel=1e-12)
    assert value.value == pytest.approx(funding / resident, rel=1e-12)
    assert value.reporting_regions == 12


def test_the_snapshot_says_the_demo_data_are_synthetic(demo_home: KepuHome, capsys) -> None:
    info = kepu_sql("select is_synthetic from snapshot_info", capsys)
    assert info.is_synthetic.tolist() == [True]
    audit = kepu_sql(
        "select file_name, bool_or(is_synthetic) as synthetic from fct_load_audit "
        "group by 1 order by 1",
        capsys,
    )
    synthetic = dict(zip(audit.file_name, audit.synthetic, strict=True))
    assert synthetic["registry_ouhai-2021-2025.xlsx"] is False
    assert synthetic["funding_2015.xlsx"] and synthetic["survey_beijing-2020.xlsx"]


def test_kepu_sql_cannot_write_to_the_snapshot(demo_home: KepuHome, capsys) -> None:
    assert main(["sql", "create table sneaky as select 1"]) == 1
    assert "read-only" in capsys.readouterr().err


def test_kepu_status_lists_every_loaded_file(demo_home: KepuHome, capsys) -> None:
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out
    for name in (
        "registry_xx-city-2022.xlsx",
        "regions.xlsx",
        "population_2020.xlsx",
        "funding_beijing_2020.xlsx",
    ):
        assert name in out


def test_the_inbox_sensor_asks_for_one_run_per_set_of_files(demo_home: KepuHome) -> None:
    import os

    from orchestration.defs.resources import Warehouse
    from orchestration.defs.sensors import inbox_sensor

    dropped = demo_home.inbox / "funding_2021.xlsx"
    dropped.write_bytes((demo_home.demo / "funding_2021.xlsx").read_bytes())
    os.utime(dropped, (1, 1))
    context = dg.build_sensor_context(
        resources={"warehouse": Warehouse(home_dir=str(demo_home.root))}
    )
    first = inbox_sensor(context)
    second = inbox_sensor(context)
    assert first.run_config == {"ops": {"raw_tables": {"config": {"paths": [str(dropped)]}}}}
    assert first.run_key == second.run_key
    dropped.unlink()
