"""95% logit and Korn–Graubard intervals, effective sample size and design effect of every
domain estimate, computed by `survey.intervals` (the code `kepu estimate` runs too).

A Python model on DuckDB. dbt-postgres runs no Python models: on PostgreSQL the build
writes this table with the same `add_intervals` between two dbt runs. The t and beta
quantiles are scipy's; SQL has none, and a table of quantiles cannot hold the beta's
non-integer parameters.
Computed a wave at a time (`typed_by_wave`): the process holds one wave's frames."""

from survey.intervals import add_intervals, typed_by_wave


def model(dbt, session):
    dbt.config(materialized="table")
    estimates = dbt.ref("int_survey_estimates")
    return typed_by_wave(session, estimates, add_intervals, "survey_intervals")
