"""95% t intervals for literacy gaps: gap ± t_{df, 0.975} · SE, with the df of the PSUs
holding either group; the t quantile is that of `survey.intervals`."""

from survey.intervals import t_quantile, typed_like


def model(dbt, session):
    dbt.config(materialized="table")
    source = dbt.ref("int_survey_gaps")
    gaps = source.df()
    half_width = t_quantile(gaps["degrees_of_freedom"]) * gaps["standard_error"]
    gaps["ci_lower"] = gaps["gap"] - half_width
    gaps["ci_upper"] = gaps["gap"] + half_width
    return typed_like(session, source, gaps, "survey_gap_intervals")
