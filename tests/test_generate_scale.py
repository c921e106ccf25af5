"""`kepu generate --scale`: the district files by hand, and the national hierarchy.

Counts are recomputed from the generated files with pandas (the design's constants: 1,200
respondents a wave, 5,000,000 activities a year-end nation, four record years), the
literacy share and its standard error by the linearisation formula of DOMAIN.md, and the
national totals are the NBS year-end resident populations.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import generator.scale
from generator import SEED
from generator.files import write_csv
from generator.hierarchy import national_hierarchy
from generator.scale import generate_scale
from ingest.home import KepuHome
from ingest.load import load_files
from ingest.read import read_file
from ingest.specs import (
    ACTIVITIES,
    FACILITIES,
    POPULATION,
    REGIONS,
    SURVEY_RESPONDENTS,
    TARGETS,
    UNIT_REGISTER,
    TableSpec,
)

# Year-end resident population, 万人, from the NBS statistical communiqués 2015–2024.
NBS_POPULATION_WAN = {2015: 137_462, 2016: 138_271, 2017: 139_008, 2018: 139_538,
                      2019: 140_005, 2020: 141_212, 2021: 141_260, 2022: 141_175,
                      2023: 140_967, 2024: 140_828}  # fmt: skip


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> list[Path]:
    return generate_scale("district", tmp_path_factory.mktemp("district"), SEED)


def _sheet(path: Path, spec: TableSpec) -> pd.DataFrame:
    """A generated sheet with its headers cut to the English name ('地区代码 / region_code')."""
    frame = pd.read_excel(path, sheet_name=spec.sheet_names[1], engine="calamine", dtype=object)
    return frame.rename(columns=lambda header: header.split(" / ")[-1].split(" (")[0])


def _file(paths: list[Path], name: str) -> Path:
    return next(p for p in paths if p.name == name)


def test_the_same_seed_writes_the_same_bytes(district, tmp_path):
    again = generate_scale("district", tmp_path, SEED)
    assert [p.name for p in again] == [p.name for p in district]
    for first, second in zip(district, again, strict=True):
        assert hashlib.sha256(first.read_bytes()).digest() == (
            hashlib.sha256(second.read_bytes()).digest()
        ), first.name


def test_a_district_is_one_county_of_towns_and_villages(district):
    regions = _sheet(_file(district, "regions.xlsx"), REGIONS)
    counts = regions["level"].value_counts()
    county = regions.loc[regions["level"] == "county", "region_code"].astype(str)
    towns = regions.loc[regions["level"] == "town"]
    villages = regions.loc[regions["level"] == "village"]
    assert (
        len(county) == 1
        and counts["town"] == len(towns)
        and set(counts.index)
        == {
            "county",
            "town",
            "village",
        }
    )
    assert 3 <= len(towns) <= 40 and len(villages) >= 2 * len(towns)
    assert (towns["parent_code"].astype(str) == county.iloc[0]).all()
    assert set(villages["parent_code"].astype(str)) == set(towns["region_code"].astype(str))
    assert set(regions["region_code"].astype(str).str.len()) == {6, 9, 12}
    assert regions["name_zh"].str.startswith("合成").all()
    population = _sheet(_file(district, "population.xlsx"), POPULATION)
    population["region_code"] = population["region_code"].astype(str)
    assert len(population) == (1 + len(towns)) * 10
    wide = population.pivot(index="region_code", columns="year", values="resident_population")
    assert (wide.drop(county.iloc[0]).sum() == wide.loc[county.iloc[0]]).all()


def test_rows_per_table_follow_the_design(district):
    regions = _sheet(_file(district, "regions.xlsx"), REGIONS)
    units = regions[regions["level"].isin(["town", "village"])]
    population = _sheet(_file(district, "population.xlsx"), POPULATION)
    county = population["region_code"].astype(str).str.len() == 6
    latest = population.loc[county & (population["year"] == 2024), "resident_population"].iloc[0]
    share = latest / (NBS_POPULATION_WAN[2024] * 10_000)
    assert 300_000 * share < 1_200  # a county's share of a national wave is below a local survey
    for year in range(2015, 2025):
        respondents = _sheet(_file(district, f"survey_{year}.xlsx"), SURVEY_RESPONDENTS)
        assert len(respondents) == 1_200
    activities = _sheet(_file(district, "activities.xlsx"), ACTIVITIES)
    assert len(activities) == round(5_000_000 * share)
    assert activities["activity_id"].is_unique
    register = _sheet(_file(district, "unit_register.xlsx"), UNIT_REGISTER)
    assert len(register) == len(units) * 4
    facilities = _sheet(_file(district, "facilities.xlsx"), FACILITIES)
    per_unit = facilities.groupby(["year", "region_code"]).size()
    assert len(per_unit) == len(units) * 4 and per_unit.max() <= 3
    none = facilities["facility_type"] == "无"
    assert (per_unit[facilities.loc[none, ["year", "region_code"]].apply(tuple, axis=1)] == 1).all()


def test_the_plan_carries_the_national_literacy_targets(district):
    targets = _sheet(_file(district, "plan.xlsx"), TARGETS)
    regions = _sheet(_file(district, "regions.xlsx"), REGIONS)
    root = regions.loc[regions["level"] == "county", "region_code"].astype(str).iloc[0]
    assert targets[["comparator", "target_value", "target_year"]].values.tolist() == [
        ["gt", 15, 2025],
        ["ge", 25, 2035],
    ]
    assert (targets["region_code"].astype(str) == root).all()
    assert (targets["baseline_value"] == 10.56).all()


def _literacy_and_se(respondents: pd.DataFrame) -> tuple[float, float]:
    """Weighted share of adults 18–69 scoring ≥ 70, and its linearised SE with the fpc."""
    frame = respondents.copy()
    sections = ["科学知识", "科学方法", "科学精神与思想", "应用能力"]
    score = frame[sections].astype(float).sum(axis=1)
    adult = frame["age"].astype(int).between(18, 69)
    w = frame["weight"].astype(float) * adult
    y = (score >= 70).astype(float)
    p = (w * y).sum() / w.sum()
    frame["z"] = w * (y - p) / w.sum()
    psu = frame.groupby(["stratum", "psu"]).agg(z=("z", "sum"), fpc=("fpc", "first"))
    variance = 0.0
    for _, stratum in psu.groupby(level="stratum"):
        n = len(stratum)
        f = n / float(stratum["fpc"].iloc[0])
        variance += (1 - f) * n / (n - 1) * ((stratum["z"] - stratum["z"].mean()) ** 2).sum()
    return p, variance**0.5


@pytest.mark.parametrize(("year", "published"), [(2015, 6.20), (2019, 9.515), (2024, 15.37)])
def test_a_wave_reproduces_the_national_series_within_three_se(district, year, published):
    respondents = _sheet(_file(district, f"survey_{year}.xlsx"), SURVEY_RESPONDENTS)
    p, se = _literacy_and_se(respondents)
    assert 0.003 < se < 0.03
    assert abs(p - published / 100) <= 3 * se


def test_the_district_files_load_with_nothing_refused(district, tmp_path):
    outcomes = load_files(district, KepuHome(tmp_path / "home"))
    assert [o.status for o in outcomes] == ["accepted"] * len(district)
    assert sum(o.rows_rejected for o in outcomes) == 0
    landed = {table: 0 for o in outcomes for table in o.rows}
    for o in outcomes:
        for table, rows in o.rows.items():
            landed[table] += rows
    assert landed["survey_respondents"] == 12_000
    activities = _sheet(_file(district, "activities.xlsx"), ACTIVITIES)
    assert landed["activities"] == len(activities)


def test_large_tables_go_to_csv_and_load_too(tmp_path, monkeypatch):
    monkeypatch.setattr(generator.scale, "XLSX_ROWS", 800)
    paths = generate_scale("district", tmp_path / "files", SEED)
    names = {p.name for p in paths}
    csvs = {name for name in names if name.endswith(".csv")}
    assert {"unit_register_31.csv", "facilities_31.csv", "activities_31.csv"} <= csvs
    assert "survey_2024_respondents.csv" in csvs and "regions.xlsx" in names
    outcomes = load_files(paths, KepuHome(tmp_path / "home"))
    assert {o.file_name: o.status for o in outcomes} == dict.fromkeys(
        [p.name for p in paths], "accepted"
    )
    respondents = sum(o.rows.get("survey_respondents", 0) for o in outcomes)
    assert respondents == 12_000


def test_the_national_hierarchy_has_the_size_of_the_country():
    hierarchy = national_hierarchy(SEED)
    regions = hierarchy.regions
    assert regions["level"].value_counts().to_dict() == {
        "nation": 1,
        "province": 31,
        "prefecture": 340,
        "county": 2_850,
        "town": 40_000,
        "village": 600_000,
    }
    national = np.array(list(NBS_POPULATION_WAN.values()), dtype=np.int64) * 10_000
    for level in ("province", "county", "village"):
        rows = (regions["level"] == level).to_numpy()
        assert (hierarchy.population[rows].sum(axis=0) == national).all(), level
    lengths = regions.groupby("level")["region_code"].agg(lambda c: set(c.str.len()))
    assert lengths.to_dict() == {
        "nation": {6},
        "province": {6},
        "prefecture": {6},
        "county": {6},
        "town": {9},
        "village": {12},
    }
    counties = hierarchy.counties_frame()
    assert list(counties.columns) == [
        "county_code",
        "city_code",
        "province_code",
        "population",
        "year",
    ]
    assert len(counties) == 2_850 * 10
    assert (counties["city_code"] == counties["county_code"].str.slice(0, 4) + "00").all()
    assert (counties["province_code"] == counties["county_code"].str.slice(0, 2) + "0000").all()
    assert (counties.groupby("year")["population"].sum().to_numpy() == national).all()


def test_a_generated_csv_opens_with_the_about_rows_and_reads_whole(tmp_path):
    regions = pd.DataFrame(
        {"region_code": ["110000", "110100"], "name_zh": ["北京市", "北京市辖区"],
         "level": ["province", "prefecture"], "parent_code": [None, "110000"]}
    )  # fmt: skip
    path = write_csv(tmp_path / "regions_11.csv", REGIONS, regions, date(2025, 3, 31))
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",")[:2] == ["数据性质 / data nature", "合成 synthetic"]
    assert lines[1] == "报送日期 / received on,2025-03-31,,"
    assert lines[2].startswith("地区代码")
    result = read_file(path)
    assert [(s.spec.table, s.rows_read) for s in result.sheets] == [("regions", 2)]
    assert len(result.errors) == 0
    # the loader reads them: the load says synthetic (and so does every snapshot built on
    # it, publish.is_synthetic_sql) and the data's date is the one the rows give
    (outcome,) = load_files([path], KepuHome(tmp_path / "home"))
    assert outcome.status == "accepted"
    with duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True) as con:
        audit = con.execute("select is_synthetic, received_on from raw.load_audit").fetchall()
    assert audit == [(True, date(2025, 3, 31))]
