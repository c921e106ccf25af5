"""The raw tables a Great Expectations suite checks (`expectations.suites`), named apart from
the suites so that the Dagster definitions declare a check per table without importing
Great Expectations: the process that runs `kepu build`, which runs no suite, would hold
its ~170 MB of modules beside dbt's during the whole build (issue 12: the build's peak).
The suites' tables are these, in this order (tests/test_expectations.py)."""

TABLES = (
    "regions",
    "population",
    "funding_returns",
    "plans",
    "plan_reviews",
    "indicators",
    "targets",
    "measures",
    "departments",
    "survey_rules",
    "survey_rule_minima",
    "survey_waves",
    "survey_items",
    "survey_respondents",
    "survey_responses",
    "measurement_rules",
    "unit_register",
    "facilities",
    "activities",
    "entity_register",
    "measure_reports",
    "evaluator_notes",
    "kp_units",
    "kp_persons",
    "kp_venues",
    "kp_funding",
    "kp_media",
    "kp_activities",
    "load_audit",
)
