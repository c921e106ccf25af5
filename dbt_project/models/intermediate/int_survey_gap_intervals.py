"""95% t intervals for literacy gaps: gap ± t_{df, 0.975} · SE, with the df of the PSUs
holding either group. The helpers are those of int_survey_intervals.py."""

from orchestration.estimate import intervals_module


def model(dbt, session):
    dbt.config(materialized="table")
    intervals = intervals_module()
    source = dbt.ref("int_survey_gaps")
    gaps = source.df()
    half_width = intervals.t_quantile(gaps["degrees_of_freedom"]) * gaps["standard_error"]
    gaps["ci_lower"] = gaps["gap"] - half_width
    gaps["ci_upper"] = gaps["gap"] + half_width
    return intervals.typed_like(session, source, gaps, "survey_gap_intervals")
