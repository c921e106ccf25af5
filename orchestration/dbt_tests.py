"""dbt's data test results as Dagster reports them: one observation per tested asset
(`orchestration.defs.dbt.test_observations`), read back here by publishing and the
command line. No manifest is needed to read them, so the command line can import this
before the dbt project is parsed."""

import dagster as dg

TESTS_METADATA = "dbt_tests"  # the observation's metadata entry: one record per test


def test_results(observation: dg.AssetObservation) -> list[dict]:
    """An observation's dbt test records as check results: asset, name, passed, severity
    (a `warn` test that fails is a warning, every other failure an error)."""
    entry = observation.metadata.get(TESTS_METADATA)
    if entry is None:
        return []
    return [
        {
            "asset_key": observation.asset_key.to_user_string(),
            "check_name": record["check_name"],
            "passed": record["status"] == "pass",
            "severity": "warn" if record["status"] == "warn" else "error",
        }
        for record in entry.value
    ]
