"""Survey estimation shared by the dbt Python models and `kepu estimate`.

`survey.intervals` adds the confidence intervals, effective sample size and design effect
to the estimates that the SQL macros of `dbt_project/macros/survey_estimation.sql` produce.
"""
