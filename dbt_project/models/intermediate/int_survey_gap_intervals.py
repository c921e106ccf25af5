"""95% t intervals for literacy gaps: gap ± t_{df, 0.975} · SE, with the df of the PSUs
holding either group, computed by `survey.intervals.add_gap_intervals`.

A Python model on DuckDB. dbt-postgres runs no Python models: on PostgreSQL the build
writes this table with the same function between two dbt runs (t quantiles are not SQL).
Computed a wave at a time (`typed_by_wave`): the process holds one wave's frames."""

from survey.intervals import add_gap_intervals, typed_by_wave


def model(dbt, session):
    dbt.config(materialized="table")
    source = dbt.ref("int_survey_gaps")
    return typed_by_wave(session, source, add_gap_intervals, "survey_gap_intervals")
