"""95% confidence intervals for survey proportions: logit (R's svyciprop default) and
Korn–Graubard ("beta"), plus the effective sample size and design effect that the NCHS
presentation standard needs.

The dbt Python models `int_survey_intervals` and `int_survey_gap_intervals`, the
PostgreSQL build (`orchestration.postgres`) and `kepu estimate` import these functions, so
every interval is computed the same way on either engine.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

ALPHA = 0.05


def t_quantile(df: pd.Series) -> np.ndarray:
    """t_{df, 1 − α/2}, NaN where df ≤ 0. The quantile is computed once per distinct df (a
    national build has ~10⁶ rows but a few thousand df values; scipy's t.ppf costs ~8 µs
    a value)."""
    distinct, position = np.unique(df.to_numpy(dtype=float), return_inverse=True)
    quantiles = np.where(
        distinct > 0, stats.t.ppf(1 - ALPHA / 2, np.where(distinct > 0, distinct, 1)), np.nan
    )
    return quantiles[position.reshape(-1)]


def add_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns ci_logit_*, ci_beta_*, effective_sample_size, design_effect, t_quantile.

    - logit: expit(logit p ± t_df · SE / (p(1 − p))); undefined (null) at p = 0 or 1.
    - Korn–Graubard as the NCHS macro: n_eff = p(1 − p)/SE² (n when p is 0 or 1), times
      (t_{n−1} / t_df)², then capped at n; Clopper–Pearson limits at x = p · n_eff.
    - design effect: SE² / (p(1 − p)/n).
    """
    out = frame.copy()
    p = out["estimate"].to_numpy(dtype=float)
    se = out["standard_error"].to_numpy(dtype=float)
    n = out["sample_size"].to_numpy(dtype=float)
    t_df = t_quantile(out["degrees_of_freedom"])
    t_n = t_quantile(pd.Series(n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        interior = (p > 0) & (p < 1)
        half = t_df * se / (p * (1 - p))
        logit = np.log(p / (1 - p))
        out["ci_logit_lower"] = np.where(interior, 1 / (1 + np.exp(-(logit - half))), np.nan)
        out["ci_logit_upper"] = np.where(interior, 1 / (1 + np.exp(-(logit + half))), np.nan)
        raw_n_eff = np.where(interior, p * (1 - p) / se**2, n)
        n_eff = np.minimum(raw_n_eff, n)
        adjusted = np.minimum(n, raw_n_eff * np.where(n > 1, (t_n / t_df) ** 2, 1.0))
        x = p * adjusted
        lower = stats.beta.ppf(ALPHA / 2, x, adjusted - x + 1)
        upper = stats.beta.ppf(1 - ALPHA / 2, x + 1, adjusted - x)
        defined = np.isfinite(t_df)
        out["ci_beta_lower"] = np.where(defined & (p == 0), 0.0, lower)
        out["ci_beta_upper"] = np.where(defined & (p == 1), 1.0, upper)
        out["effective_sample_size"] = n_eff
        out["design_effect"] = se**2 / (p * (1 - p) / n)
    out["t_quantile"] = t_df
    return out


def add_gap_intervals(gaps: pd.DataFrame) -> pd.DataFrame:
    """Columns ci_lower, ci_upper: gap ± t_{df, 1 − α/2} · SE, df that of the PSUs holding
    either group."""
    out = gaps.copy()
    half_width = t_quantile(out["degrees_of_freedom"]) * out["standard_error"].astype(float)
    out["ci_lower"] = out["gap"].astype(float) - half_width
    out["ci_upper"] = out["gap"].astype(float) + half_width
    return out


def typed_like(session, source, frame: pd.DataFrame, name: str):
    """`frame` as a relation whose columns from `source` keep their SQL types (an empty
    frame would otherwise lose them). `session` is a DuckDB connection, `source` the
    relation the frame was read from."""
    session.register(name, frame)
    return session.sql(_typed_select(source, name))


def _typed_select(source, name: str) -> str:
    casts = ", ".join(
        f'cast("{c}" as {t}) as "{c}"' for c, t in zip(source.columns, source.types, strict=True)
    )
    return f"select {casts}, * exclude ({', '.join(source.columns)}) from {name}"


def typed_by_wave(session, source, compute: Callable[[pd.DataFrame], pd.DataFrame], name: str):
    """`compute` of `source`'s rows a survey wave at a time (no interval pools waves),
    gathered in the temporary table `name` of `session`, the columns from `source` keeping
    their SQL types: the same rows as `typed_like(session, source, compute(source.df()))`,
    but the process holds one wave's frames, not every wave's. Those frames are Python's,
    outside DuckDB's memory limit: at national size all ten waves' estimates took the dbt
    process from 2.1 to 3.0 GB (issue 12)."""
    waves = [w for (w,) in source.select("wave_id").distinct().order("wave_id").fetchall()]
    wave_column = duckdb.ColumnExpression("wave_id")
    frame_name = f"{name}_wave"
    for index, wave in enumerate(waves or [None]):
        rows = (
            source
            if wave is None
            else source.filter(wave_column == duckdb.ConstantExpression(wave))
        )
        session.register(frame_name, compute(rows.df()))
        select = _typed_select(source, frame_name)
        if index == 0:
            session.execute(f"create or replace temporary table {name} as {select}")
        else:
            session.execute(f"insert into {name} {select}")
        session.unregister(frame_name)
    return session.table(name)
