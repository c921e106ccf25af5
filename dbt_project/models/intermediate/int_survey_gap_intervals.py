"""95% t intervals for literacy gaps: gap ± t_{df, 0.975} · SE, with the df of the PSUs
holding either group, computed by `survey.intervals.add_gap_intervals`.

A Python model on DuckDB. dbt-postgres runs no Python models: on PostgreSQL the build
writes this table with the same function between two dbt runs (t quantiles are not SQL)."""

from survey.intervals import add_gap_intervals, typed_like


def model(dbt, session):
    dbt.config(materialized="table")
    source = dbt.ref("int_survey_gaps")
    return typed_like(session, source, add_gap_intervals(source.df()), "survey_gap_intervals")
