"""The national 科普统计 returns: the generator reproduces the published national figures,
the forms load and roll up without double counting, and the form's own rules hold.

Golden numbers are the published ones (../shared/KEPU_STATISTICS.md §3) or pandas sums of
the forms as written into the workbooks, never the warehouse's own output.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from generator.kepu_statistics import (
    NATIONAL_POPULATION_WAN,
    largest_remainder,
    returns,
    write_workbooks,
)
from ingest.home import KepuHome
from ingest.load import load_files
from ingest.read import read_file
from ingest.specs import (
    KP_FUNDING_INDICATORS,
    KP_INDICATORS_FILE,
    KP_STATISTICS,
    KP_UNITS,
    SPECS_BY_TABLE,
)
from ingest.workbook import write_workbook
from orchestration.defs.project import DBT_EXECUTABLE, DBT_PROJECT_DIR
from tests.helpers import write_sheet
from vocabulary import labels

# Published national figures: 筹集额 and 政府拨款 亿元, 人均专项 元, 人员 万人, 科技馆, 博物馆.
PUBLISHED = {
    2021: (189.07, 150.29, 4.71, 182.75, 661, 1016),
    2022: (191.00, 154.30, 5.30, 199.67, 694, 989),
    2023: (215.06, 167.11, 5.76, 215.62, 703, 1076),
}
MONEY = [i.name for i in KP_FUNDING_INDICATORS]
NATION = "100000"
with KP_INDICATORS_FILE.open(encoding="utf-8", newline="") as _handle:
    SEED_CODES = [row["indicator_code"] for row in csv.DictReader(_handle)]


def _national_counties() -> pd.DataFrame:
    """31 provinces, 341 prefectures, 2,852 counties holding the 2023 year-end population."""
    rng = np.random.default_rng(7)
    rows = [
        (f"{11 + p:02d}{k % 11 + 1:02d}{k // 11 + 1:02d}", f"{11 + p:02d}{k % 11 + 1:02d}00")
        for p in range(31)
        for k in range(92)
    ]
    frame = pd.DataFrame(rows, columns=["county_code", "city_code"])
    frame["province_code"] = frame["county_code"].str[:2] + "0000"
    total = NATIONAL_POPULATION_WAN[2023] * 10_000
    frame["population"] = largest_remainder(total, rng.lognormal(0, 0.7, len(frame)))
    return frame


def test_the_national_frame_sums_to_the_published_figures_of_each_calibrated_year() -> None:
    counties = _national_counties()
    assert (len(counties), counties["province_code"].nunique()) == (2_852, 31)
    frames = returns(counties)
    funding, persons, venues = frames["kp_funding"], frames["kp_persons"], frames["kp_venues"]
    for year, (raised, government, per_capita, staff, centres, museums) in PUBLISHED.items():
        money = funding[funding["year"] == year]
        people = persons[persons["year"] == year]
        kinds = venues.loc[venues["year"] == year, "venue_type"].value_counts()
        population = NATIONAL_POPULATION_WAN[year] * 10_000
        assert round(money["raised_total"].sum() / 10_000, 2) == raised
        assert round(money["government_funding"].sum() / 10_000, 2) == government
        assert round(money["special_funding"].sum() * 10_000 / population, 2) == per_capita
        total_staff = people["full_time_staff"].sum() + people["part_time_staff"].sum()
        assert round(total_staff / 10_000, 2) == staff
        assert (kinds["science_centre"], kinds["science_museum"]) == (centres, museums)
    latest = persons[persons["year"] == 2023]
    assert round(latest["full_time_staff"].sum() / 10_000, 2) == 29.32
    assert round(latest["part_time_staff"].sum() / 10_000, 2) == 186.31
    # the central (部委级) units report a share of every total and sit in no county's count
    units = frames["kp_units"]
    assert (units["form_level"] == "ministry").sum() == 12 * 3
    # every form balances and keeps 专项 within 政府拨款
    sources = ["government_funding", "donations", "self_raised", "other_income"]
    uses = ["activity_spend", "construction_spend", "exhibit_spend", "admin_spend", "other_spend"]
    assert (funding[sources].sum(axis=1) == funding["raised_total"]).all()
    assert (funding[uses].sum(axis=1) == funding["used_total"]).all()
    assert (funding["special_funding"] <= funding["government_funding"]).all()


# --- a small set of returns, loaded and built -------------------------------------------

REGIONS = [
    ["地区代码", "地区名称", "级别", "上级代码"],
    ["330000", "浙江省", "省", None],
    ["330300", "温州市", "市", "330000"],
    ["330302", "鹿城区", "区县", "330300"],
    ["330304", "瓯海区", "区县", "330300"],
    ["330100", "杭州市", "市", "330000"],
    ["330106", "西湖区", "区县", "330100"],
]
COUNTIES = pd.DataFrame(
    {
        "county_code": ["330302", "330304", "330106"],
        "city_code": ["330300", "330300", "330100"],
        "province_code": ["330000"] * 3,
        "population": [1_050_000, 980_000, 1_200_000],
    }
)
PARENTS = {r[0]: r[3] for r in REGIONS[1:]}
RESIDENTS = {"330000": 66_270_000, "330300": 9_710_000, "330302": 1_050_000, "330304": 980_000}
YEARS = (2022, 2023)


def _small_frames() -> dict[str, pd.DataFrame]:
    """The generator's forms for three counties, with what the tests look for: one unit
    turned central (部委级), one museum turned another venue, a `0` beside the generator's
    `-`, and two 2023 forms whose staff grew 20%, one with a 说明 and one without."""
    frames = returns(COUNTIES, YEARS)
    units, persons, media = frames["kp_units"], frames["kp_persons"], frames["kp_media"]
    units.loc[units["unit_code"].str.startswith("330106B"), "form_level"] = "ministry"
    venues = frames["kp_venues"]
    museum = venues.loc[venues["venue_type"] == "science_museum"].iloc[0]
    same = (venues["unit_code"] == museum["unit_code"]) & (venues["venue_id"] == museum["venue_id"])
    venues.loc[same, "venue_type"] = "other_venue"
    media.loc[media["unit_code"].str.startswith("330302A"), "wechat_accounts"] = 0
    media["wechat_accounts"] = media["wechat_accounts"].astype(object)
    media.loc[media["unit_code"].str.startswith("330302B"), "wechat_accounts"] = "-"
    for prefix, explanation in (("330304B", None), ("330302C", "新增专职编制")):
        row = persons["unit_code"].str.startswith(prefix) & (persons["year"] == 2023)
        before = persons.loc[
            persons["unit_code"].str.startswith(prefix) & (persons["year"] == 2022),
            "full_time_staff",
        ].item()
        persons.loc[row, "full_time_staff"] = round(before * 1.2) + 1
        persons.loc[row, "full_time_managers"] = 0
        persons.loc[row, "explanation"] = explanation
    return frames


def _ancestors(region: str) -> list[str]:
    chain = [region]
    while PARENTS.get(chain[-1]):
        chain.append(PARENTS[chain[-1]])
    return chain


def _hand_rollup(frames: dict[str, pd.DataFrame]) -> dict[tuple[str, int, str], tuple]:
    """(region, year, indicator) → (value, forms reporting) summed in pandas from the forms:
    each form at its unit's region and every ancestor, central units at the nation only."""
    units = frames["kp_units"].set_index(["unit_code", "year"])
    out: dict[tuple[str, int, str], list] = {}
    for table in ("kp_persons", "kp_venues", "kp_funding", "kp_media", "kp_activities"):
        frame = frames[table]
        items = [c for c, t in SPECS_BY_TABLE[table].stored_columns.items() if t == "BIGINT"]
        for _, form in frame.iterrows():
            unit = units.loc[(form["unit_code"], form["year"])]
            central = unit["form_level"] == "ministry"
            regions = [NATION] + ([] if central else _ancestors(unit["region_code"]))
            values = {i: pd.to_numeric(form[i], errors="coerce") for i in items}
            values = {i: v * 10_000 if i in MONEY else v for i, v in values.items()}
            if table == "kp_venues" and form["venue_type"] != "unit_form":
                values[f"{form['venue_type']}s"] = 1
            for region in regions:
                for item, value in values.items():
                    if pd.isna(value):
                        continue
                    total = out.setdefault((region, int(form["year"]), item), [0, 0])
                    total[0] += value
                    total[1] += 1
    return {k: (float(v), n) for k, (v, n) in out.items()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[KepuHome, dict[str, pd.DataFrame]]:
    """The small set loaded through `load_files` and built by dbt."""
    folder = tmp_path_factory.mktemp("kp")
    home = KepuHome(folder / "home").ensure()
    frames = _small_frames()
    population = [["地区代码", "年份", "常住人口(人)"]] + [
        [code, year, residents] for code, residents in RESIDENTS.items() for year in YEARS
    ]
    files = [
        write_sheet(folder / "regions.xlsx", "地区", REGIONS),
        write_sheet(folder / "population.xlsx", "人口", population),
        *write_workbooks(frames, COUNTIES, folder / "returns"),
    ]
    outcomes = load_files(files, home)
    assert [o.status for o in outcomes] == ["accepted"] * len(files), [
        o.errors.head(3).to_dict("records") for o in outcomes
    ]
    completed = subprocess.run(
        [DBT_EXECUTABLE, "build", "--select", "codes", "+fct_kp_statistic", "+fct_kp_headline",
         "+fct_kp_change_flag", "--indirect-selection", "cautious",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        # a target folder of its own: the shared one holds the manifest other processes read
        env={**os.environ, "KEPU_WAREHOUSE": str(home.warehouse),
             "DBT_TARGET_PATH": str(folder / "dbt_target")},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:]
    return home, frames


def _query(home: KepuHome, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql).df()


def test_every_level_of_the_rollup_equals_a_hand_sum_of_the_forms(built) -> None:
    home, frames = built
    expected = _hand_rollup(frames)
    found = _query(
        home,
        "select region_code, year, indicator_code, indicator_value, form_count "
        "from marts.fct_kp_statistic where form_count > 0",
    )
    got = {
        (r.region_code, int(r.year), r.indicator_code): (float(r.indicator_value), r.form_count)
        for r in found.itertuples()
    }
    assert set(got) == set(expected)
    assert {k: n for k, (_, n) in got.items()} == {k: n for k, (_, n) in expected.items()}
    assert {k: v for k, (v, _) in got.items()} == pytest.approx(
        {k: v for k, (v, _) in expected.items()}
    )
    # the central unit's money is in the nation but not in its province or county
    central = frames["kp_funding"].merge(frames["kp_units"], on=["unit_code", "year"])
    central = central[(central["form_level"] == "ministry") & (central["year"] == 2023)]
    assert len(central) == 1
    raised = {k[0]: v[0] for k, v in expected.items() if k[1:] == (2023, "raised_total")}
    assert raised[NATION] - raised["330000"] == central["raised_total"].item() * 10_000
    assert got[("330106", 2023, "raised_total")][1] == 2  # 科协 and 教育局, not the central unit


def test_the_headline_per_capita_and_persons_per_venue_follow_the_release_formulas(built) -> None:
    home, frames = built
    rows = _query(home, "select * from marts.fct_kp_headline").set_index(["region_code", "year"])
    rollup = _hand_rollup(frames)
    for region, residents in RESIDENTS.items():
        for year in YEARS:
            special = rollup[(region, year, "special_funding")][0]
            venues = sum(
                rollup.get((region, year, k), (0, 0))[0]
                for k in ("science_centres", "science_museums")
            )
            row = rows.loc[(region, year)]
            assert row["special_per_capita_yuan"] == pytest.approx(special / residents)
            if venues:
                assert row["population_10k_per_venue"] == pytest.approx(residents / 1e4 / venues)
            else:
                assert pd.isna(row["population_10k_per_venue"])
    nation = rows.loc[(NATION, 2023)]
    assert nation["resident_population"] == RESIDENTS["330000"]  # the only province
    assert nation["government_share"] == pytest.approx(
        rollup[(NATION, 2023, "government_funding")][0] / rollup[(NATION, 2023, "raised_total")][0]
    )


def test_a_dash_lands_as_null_and_a_zero_as_zero_in_an_integer_column(built) -> None:
    home, _ = built
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        found = con.execute(
            "select unit_code, wechat_accounts from raw.kp_media "
            "where year = 2023 and unit_code like '330302%' order by unit_code"
        ).fetchall()
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name in ('kp_media', 'kp_funding') "
                "and column_name in ('wechat_accounts', 'raised_total')"
            ).fetchall()
        )
    assert types == {"wechat_accounts": "BIGINT", "raised_total": "BIGINT"}
    assert [value for _, value in found][:2] == [0, None]  # 科协 wrote 0, 科技局 wrote -
    assert found[2][1] > 0
    counted = _query(
        home,
        "select form_count from marts.fct_kp_statistic "
        "where region_code = '330302' and year = 2023 and indicator_code = 'wechat_accounts'",
    )
    assert counted["form_count"].item() == 2  # the 0 counts as reported, the - does not


def test_money_written_in_wan_yuan_lands_in_yuan_once(built) -> None:
    """The form's 万元 × 10,000, applied by the loader and nowhere after it."""
    home, frames = built
    funding = frames["kp_funding"]
    written = int(funding.loc[funding["year"] == 2023, "raised_total"].sum())  # 万元
    raw = _query(home, "select sum(raised_total) as s from raw.kp_funding where year = 2023")
    nation = _query(
        home,
        "select indicator_value from marts.fct_kp_statistic "
        f"where region_code = '{NATION}' and year = 2023 and indicator_code = 'raised_total'",
    )
    assert raw["s"].item() == written * 10_000
    assert nation["indicator_value"].item() == written * 10_000


def test_every_indicator_of_the_seed_and_only_those_reach_the_national_statistic(built) -> None:
    home, _ = built
    found = _query(
        home,
        "select indicator_code from marts.fct_kp_statistic "
        f"where region_code = '{NATION}' and year = 2023",
    )
    assert sorted(found["indicator_code"]) == sorted(SEED_CODES)
    assert len(SEED_CODES) == 40
    assert all(labels().get(f"kp_indicator.{code}", ("", ""))[1] for code in SEED_CODES)


def test_the_change_threshold_is_read_from_the_progress_settings_seed(
    built, tmp_path: Path
) -> None:
    """The same forms rebuilt with kp_change_max_share raised to the flagged change: the
    rule is `change > share`, so that flag goes and no change at or below it stays."""
    home, _ = built
    before = _query(
        home,
        "select unit_code, indicator_code, change_share from marts.fct_kp_change_flag "
        "where year = 2023 and kp_table = 'kp_persons' and indicator_code = 'full_time_staff' "
        "and unit_code like '330304B%'",
    )
    share = before["change_share"].item()
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    settings = project / "seeds" / "progress_settings.csv"
    text = settings.read_text(encoding="utf-8")
    assert "kp_change_max_share,0.08\n" in text
    settings.write_text(
        text.replace("kp_change_max_share,0.08", f"kp_change_max_share,{share!r}"),
        encoding="utf-8",
    )
    warehouse = tmp_path / "copy" / home.warehouse.name  # views name the file's catalog
    warehouse.parent.mkdir()
    shutil.copy(home.warehouse, warehouse)
    completed = subprocess.run(
        [DBT_EXECUTABLE, "build", "--select", "progress_settings", "fct_kp_change_flag",
         "--indirect-selection", "cautious",
         "--project-dir", str(project), "--profiles-dir", str(project)],
        env={**os.environ, "KEPU_WAREHOUSE": str(warehouse)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = con.execute(
            "select abs(change_share), unit_code, indicator_code from marts.fct_kp_change_flag"
        ).fetchall()
    flagged = _query(home, "select count(*) as n from marts.fct_kp_change_flag")["n"].item()
    assert 0 < len(after) < flagged
    assert all(changed > share for changed, _, _ in after if changed is not None)
    assert not any(u.startswith("330304B") and i == "full_time_staff" for _, u, i in after)


def test_an_unexplained_change_over_8_percent_is_flagged_and_an_explained_one_is_not(
    built,
) -> None:
    home, _ = built
    flags = _query(
        home,
        "select unit_code, indicator_code, flag_code, change_share from marts.fct_kp_change_flag "
        "where year = 2023 and kp_table = 'kp_persons'",
    )
    mine = flags[flags["unit_code"].str.startswith("330304B")]
    staff = mine[mine["indicator_code"] == "full_time_staff"]
    assert staff["flag_code"].tolist() == ["change_unexplained"]
    assert staff["change_share"].item() > 0.2
    assert not flags["unit_code"].str.startswith("330302C").any()


KP_CHAIN = " ".join(
    f"int_kp_forms_current+,+{mart}"
    for mart in ("fct_kp_statistic", "fct_kp_headline", "fct_kp_change_flag")
)
KP_BUILT = ("intermediate.int_kp_forms_current", "marts.fct_kp_statistic",
            "marts.fct_kp_headline", "marts.fct_kp_change_flag")  # fmt: skip


def _rebuild_forms(warehouse: Path, target: Path, *flags: str) -> dict[str, pd.DataFrame]:
    """int_kp_forms_current and the 科普统计 marts built again on `warehouse` with dbt
    `flags`; their rows, in a fixed order."""
    completed = subprocess.run(
        [DBT_EXECUTABLE, "build", "--select", KP_CHAIN, "--indirect-selection", "cautious",
         *flags, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        env={**os.environ, "KEPU_WAREHOUSE": str(warehouse), "DBT_TARGET_PATH": str(target)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: con.execute(f"select * from {table} order by all").df() for table in KP_BUILT
        }


def test_a_late_return_replaces_its_countys_forms_incrementally_as_a_full_build_does(
    built, tmp_path: Path
) -> None:
    """A county's corrected 2023 return (its forms drawn again with another seed: other
    values, another number of venues) after the build: int_kp_forms_current recomputes
    that county's forms only (delete and insert), and it and the marts equal a full
    refresh of the same warehouse."""
    home, _ = built
    county = COUNTIES[COUNTIES["county_code"] == "330304"]
    late = returns(county, [2023], seed=99)
    copy = KepuHome(tmp_path / "home").ensure()
    shutil.copy(home.warehouse, copy.warehouse)
    outcomes = load_files(write_workbooks(late, county, tmp_path / "late"), copy)
    assert [o.status for o in outcomes] == ["accepted"]
    full_copy = tmp_path / "full" / copy.warehouse.name  # views name the file's catalog
    full_copy.parent.mkdir()
    shutil.copy(copy.warehouse, full_copy)

    added = _rebuild_forms(copy.warehouse, tmp_path / "target-added")
    full = _rebuild_forms(full_copy, tmp_path / "target-full", "--full-refresh")

    for table in KP_BUILT:
        pd.testing.assert_frame_equal(added[table], full[table], obj=table)
    run = "run/kepu_monitor/models/intermediate/int_kp_forms_current.sql"
    assert "delete from" in (tmp_path / "target-added" / run).read_text()
    assert "delete from" not in (tmp_path / "target-full" / run).read_text()
    forms = added["intermediate.int_kp_forms_current"]
    venue_forms = (
        "select distinct form_id from intermediate.int_kp_forms_current where "
        "kp_table = 'kp_venues' and year = 2023 and unit_code like '330304%'"
    )
    mine = forms.query(
        "kp_table == 'kp_venues' and year == 2023 and unit_code.str.startswith('330304')"
    )
    assert set(mine["form_id"]) == set(late["kp_venues"]["venue_id"])
    assert set(_query(home, venue_forms)["form_id"]) != set(mine["form_id"])  # other venues


# --- the form's own rules, refused at their cell -----------------------------------------


def _workbook(tmp_path: Path, change) -> Path:
    frames = returns(COUNTIES.head(1), (2023,))
    change(frames)
    return write_workbook(
        tmp_path / "kp.xlsx",
        [(spec, frames[spec.table]) for spec in KP_STATISTICS],
        units={name: "万元" for name in MONEY},
    )


def _problems(path: Path) -> list[tuple]:
    errors = read_file(path).errors
    return [
        (r.sheet, r.row, str(r.column).split(" / ")[0], r.value, r.code)
        for r in errors.itertuples()
    ]


def test_a_decimal_is_refused_at_its_cell(tmp_path: Path) -> None:
    def decimal(frames):
        persons = frames["kp_persons"]
        persons["part_time_staff"] = persons["part_time_staff"].astype(object)
        persons.loc[1, "part_time_staff"] = 12.5

    assert _problems(_workbook(tmp_path, decimal)) == [
        ("KP-001 科普人员", 3, "科普兼职人员", "12.5", "not_whole")
    ]


@pytest.mark.parametrize(
    ("table", "column", "header", "value", "code", "expected"),
    [
        ("kp_persons", "part_time_staff", "科普兼职人员", "abc", "not_number", "kp_count"),
        ("kp_persons", "part_time_staff", "科普兼职人员", "-3", "out_of_range", "kp_count"),
        ("kp_media", "book_titles", "科普图书种数", "1.5", "not_whole", "kp_count"),
        # whole as written: 1.5 万元 is refused, not taken as 15,000 元
        ("kp_funding", "donations", "捐赠(万元)", "1.5", "not_whole", "kp_amount"),
    ],
)
def test_a_bad_count_is_refused_at_its_cell_with_the_expected_kind(
    tmp_path: Path, table: str, column: str, header: str, value: str, code: str, expected: str
) -> None:
    def bad(frames):
        frame = frames[table]
        frame[column] = frame[column].astype(object)
        frame.loc[0, column] = value

    errors = read_file(_workbook(tmp_path, bad)).errors
    found = errors[errors["row"] == 2]
    sheet = {"kp_persons": "KP-001 科普人员", "kp_media": "KP-004 科普传媒"}
    assert [
        (str(r.column).split(" / ")[0], r.value, r.code, r.expected)
        for r in found.itertuples()
        if r.code != "sources_unbalanced"  # the changed 捐赠 also unbalances 筹集额
    ] == [(header, value, code, expected)]
    assert found["sheet"].iloc[0] == sheet.get(table, "KP-003 科普经费")


def test_a_venue_opened_after_the_year_end_is_refused(tmp_path: Path) -> None:
    def opened_late(frames):
        venues = frames["kp_venues"]
        venues.loc[venues["venue_type"] == "science_centre", "opened_year"] = 2024

    problems = _problems(_workbook(tmp_path, opened_late))
    assert problems and all(
        p[0] == "KP-002 科普场地"
        and p[2] == "建成年份"
        and p[3] == "2024"
        and p[4] == "opened_after_year"
        for p in problems
    )


def test_a_second_form_for_the_same_venue_is_refused(tmp_path: Path) -> None:
    def twice(frames):
        venues = frames["kp_venues"]
        frames["kp_venues"] = pd.concat([venues, venues.iloc[[0]]], ignore_index=True)

    path = _workbook(tmp_path, twice)
    venues = returns(COUNTIES.head(1), (2023,))["kp_venues"]
    last = len(venues) + 2
    first = venues.iloc[0]
    key = f"{first['unit_code']} | 2023 | {first['venue_id']}"
    assert _problems(path) == [
        ("KP-002 科普场地", 2, "unit_code + year + venue_id", key, "duplicate_key"),
        ("KP-002 科普场地", last, "unit_code + year + venue_id", key, "duplicate_key"),
    ]


def test_unbalanced_funding_is_refused_at_the_total_and_the_special_fund(tmp_path: Path) -> None:
    def unbalanced(frames):
        funding = frames["kp_funding"]
        funding.loc[0, "raised_total"] += 1
        funding.loc[1, "special_funding"] = funding.loc[1, "government_funding"] + 1
        funding.loc[2, "used_total"] -= 1

    funding = returns(COUNTIES.head(1), (2023,))["kp_funding"]
    special = funding.loc[1, "government_funding"] + 1
    problems = _problems(_workbook(tmp_path, unbalanced))
    assert problems == [
        ("KP-003 科普经费", 2, "科普经费筹集额(万元)", str(funding.loc[0, "raised_total"] + 1),
         "sources_unbalanced"),
        ("KP-003 科普经费", 3, "科普专项经费(万元)", str(special), "special_above_government"),
        ("KP-003 科普经费", 4, "科普经费使用额(万元)", str(funding.loc[2, "used_total"] - 1),
         "uses_unbalanced"),
    ]  # fmt: skip


def test_a_venue_item_on_the_units_other_form_is_refused(tmp_path: Path) -> None:
    """Venue area and visits belong on the venue's own form: on the unit's other form they
    would be counted a second time."""

    def doubled(frames):
        venues = frames["kp_venues"]
        venues["venue_visitors"] = venues["venue_visitors"].astype(object)
        venues.loc[venues["venue_type"] == "unit_form", "venue_visitors"] = 5_000

    venues = returns(COUNTIES.head(1), (2023,))["kp_venues"]
    rows = [i + 2 for i in venues.index[venues["venue_type"] == "unit_form"]]
    assert [p[1:] for p in _problems(_workbook(tmp_path, doubled))] == [
        (row, "场地类型", "unit_form", "venue_item_on_unit_form") for row in rows
    ]


def test_a_form_whose_unit_has_no_row_for_its_year_is_refused_at_its_cell(
    tmp_path: Path,
) -> None:
    """单位信息 of 2022 registers the unit, 2023's leaves it out: each of the unit's 2023
    forms is refused at its unit code, naming the years the unit is registered for (the
    build's assert_kp_forms_have_their_unit_of_the_year guards warehouses loaded before)."""
    home = KepuHome(tmp_path / "home").ensure()
    frames = returns(COUNTIES.head(1), YEARS)
    missing = frames["kp_units"]["unit_code"].iloc[0]

    def workbook(year: int) -> Path:
        sheets = []
        for spec in KP_STATISTICS:
            frame = frames[spec.table]
            keep = frame["year"] == year
            if spec is KP_UNITS and year == 2023:
                keep &= frame["unit_code"] != missing
            sheets.append((spec, frame[keep]))
        money = {name: "万元" for name in MONEY}
        return write_workbook(tmp_path / f"kp{year}.xlsx", sheets, units=money)

    files = [
        write_sheet(tmp_path / "regions.xlsx", "地区", REGIONS),
        workbook(2022),
        workbook(2023),
    ]
    outcomes = load_files(files, home)
    assert [o.status for o in outcomes] == ["accepted", "accepted", "rejected"]
    errors = outcomes[2].errors
    forms = {
        spec.sheet_names[1]  # the sheet the workbook names it: 'KP-001 科普人员' …
        for spec in KP_STATISTICS
        if spec is not KP_UNITS
        and (
            (frames[spec.table]["unit_code"] == missing) & (frames[spec.table]["year"] == 2023)
        ).any()
    }
    assert set(errors["code"]) == {"unit_other_year"}
    assert set(errors["sheet"]) == forms
    assert set(errors["value"]) == {missing}
    assert {json.loads(f)["years"] for f in errors["fields"]} == {"2022"}
    assert {json.loads(f)["year"] for f in errors["fields"]} == {2023}
    # each form's own rows of the unit (the forms are checked in one query, stacked)
    located = {
        (spec.sheet_names[1], position + 2)
        for spec in KP_STATISTICS
        if spec is not KP_UNITS
        for position in np.flatnonzero(
            frames[spec.table].loc[frames[spec.table]["year"] == 2023, "unit_code"] == missing
        )
    }
    assert len(located) > len(forms)  # a unit with more than one venue form
    assert sorted(zip(errors["sheet"], errors["row"], strict=True)) == sorted(located)

    # 2023's workbook alone: the unit is in no year's 单位信息, an unknown reference at
    # the same cells
    alone = load_files(files[::2], KepuHome(tmp_path / "alone").ensure())
    assert [o.status for o in alone] == ["accepted", "rejected"]
    unknown = alone[1].errors
    assert set(unknown["code"]) == {"unknown_reference"}
    assert set(unknown["value"]) == {missing}
    assert sorted(zip(unknown["sheet"], unknown["row"], strict=True)) == sorted(located)
