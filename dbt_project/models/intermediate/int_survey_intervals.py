"""95% logit and Korn–Graubard intervals, effective sample size and design effect of every
domain estimate, computed by `survey.intervals` (the code `kepu estimate` runs too)."""

from survey.intervals import add_intervals, typed_like


def model(dbt, session):
    dbt.config(materialized="table")
    estimates = dbt.ref("int_survey_estimates")
    return typed_like(session, estimates, add_intervals(estimates.df()), "survey_intervals")
