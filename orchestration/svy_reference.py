"""`svy` (0.35, successor of samplics, reproducing R's `survey`) as the independent
reference for design-based proportions.

:func:`svy_proportions` returns one row per domain value: ``domain, estimate, se, df,
ci_logit_lower, ci_logit_upper, ci_beta_lower, ci_beta_upper, n, weighted_n``, where the
"beta" interval is svy's NCHS Korn–Graubard (``ci_method="korn-graubard"``: n_eff
df-adjusted, then capped at n). Conventions, all R's: ``df`` is the domain's degf (PSUs
holding domain members minus their strata); ``lonely="average"`` scales by H/H_ok over
the strata the domain reaches; svy refuses sampling fractions as ``pop_size``, so a
fraction f_h is passed as N_h = n_h / f_h.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

LonelyOption = Literal["fail", "remove", "adjust", "average"]

COLUMNS: list[str] = [
    "domain",
    "estimate",
    "se",
    "df",
    "ci_logit_lower",
    "ci_logit_upper",
    "ci_beta_lower",
    "ci_beta_upper",
    "n",
    "weighted_n",
]

# svy singleton rules equivalent to R's options(survey.lonely.psu=...), per the docstring
# of svy.core.design.Singleton: "center" = R "adjust", "scale" = R "average",
# "skip" = R "remove"; no rule (None) raises SingletonError like R's "fail".
_SVY_SINGLETON: dict[str, str | None] = {
    "fail": None,
    "remove": "skip",
    "adjust": "center",
    "average": "scale",
}

# Internal column names, so user column names can never collide with svy's result columns.
_S, _P, _W, _Y, _D, _N, _ONE = "kp_stratum", "kp_psu", "kp_w", "kp_y", "kp_dom", "kp_N", "kp_1"
_NO_DOMAIN = "\x00kp-no-domain\x00"


def _check_lonely(lonely: str) -> None:
    if lonely not in _SVY_SINGLETON:
        raise ValueError(f"lonely must be one of {sorted(_SVY_SINGLETON)}, got {lonely!r}")


def _domain_levels(frame: pd.DataFrame, domain: str | None) -> list[Any]:
    """The domain values to report: the categories of a categorical column (unused ones
    included, so an empty domain gets a row), otherwise the sorted observed values."""
    if domain is None:
        return [None]
    col = frame[domain]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.categories)
    return sorted(col.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))


def _outcome(frame: pd.DataFrame, outcome: str) -> np.ndarray:
    y = frame[outcome]
    if y.isna().any():
        raise ValueError(f"outcome column {outcome!r} has missing values")
    values = y.astype(float).to_numpy()
    if not np.isin(values, (0.0, 1.0)).all():
        raise ValueError(f"outcome column {outcome!r} must be 0/1 (or boolean)")
    return values


def _stratum_psu_codes(
    frame: pd.DataFrame, strata: str | None, psu: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer stratum code per row, PSU code per row (PSUs nested in strata, as R's
    ``nest=TRUE`` and svy do) and the stratum code of every PSU."""
    if strata is None:
        s_code = np.zeros(len(frame), dtype=np.int64)
    else:
        s_code = pd.factorize(frame[strata], use_na_sentinel=False)[0].astype(np.int64)
    local = pd.factorize(frame[psu], use_na_sentinel=False)[0].astype(np.int64)
    p_code = pd.factorize(s_code * (int(local.max(initial=0)) + 1) + local)[0].astype(np.int64)
    psu_stratum = np.zeros(p_code.max() + 1 if len(p_code) else 0, dtype=np.int64)
    psu_stratum[p_code] = s_code
    return s_code, p_code, psu_stratum


def _sampling_fractions(
    frame: pd.DataFrame, fpc: str | None, s_code: np.ndarray, n_h: np.ndarray
) -> np.ndarray:
    """f_h per stratum from an fpc column: >1 is N_h (PSUs in the population), so
    f_h = n_h / N_h; <=1 is f_h itself. 0 when no fpc is given."""
    n_strata = len(n_h)
    if fpc is None:
        return np.zeros(n_strata)
    values = frame[fpc].astype(float).to_numpy()
    if np.isnan(values).any() or (values <= 0).any():
        raise ValueError(f"fpc column {fpc!r} must be positive and non-missing")
    _, first_row = np.unique(s_code, return_index=True)
    first = values[first_row]  # the value on the first row of each stratum
    if not np.allclose(values, first[s_code]):
        raise ValueError(f"fpc column {fpc!r} must be constant within each stratum")
    f = np.where(first > 1.0, n_h / first, first)
    if (f > 1.0 + 1e-12).any():
        raise ValueError("fpc gives more sampled PSUs than population PSUs in some stratum")
    return f


def _svy_frame(
    frame: pd.DataFrame,
    *,
    weight: str,
    strata: str | None,
    psu: str,
    outcome: str,
    domain: str | None,
    fpc: str | None,
) -> tuple[Any, dict[str, Any]]:
    """The polars frame handed to svy (internal column names) and the map from the
    string domain labels svy reports back to the caller's domain values."""
    import polars as pl

    data: dict[str, Any] = {
        _P: frame[psu].astype(str).to_numpy(),
        _W: frame[weight].astype(float).to_numpy(),
        _Y: _outcome(frame, outcome).astype(np.int64),
        _ONE: np.ones(len(frame)),
    }
    if strata is not None:
        data[_S] = frame[strata].astype(str).to_numpy()
    labels: dict[str, Any] = {}
    if domain is not None:
        values = frame[domain]
        as_text = values.astype(object).where(values.notna(), _NO_DOMAIN).astype(str)
        data[_D] = as_text.to_numpy()
        labels = {str(v): v for v in _domain_levels(frame, domain)}
    if fpc is not None:
        # svy's pop_size takes population counts only (estimation/_fpc.py raises
        # FPC_INVALID_VALUES for values < 1): a fraction f_h becomes N_h = n_h / f_h.
        s_code, _, psu_stratum = _stratum_psu_codes(frame, strata, psu)
        n_h = np.bincount(psu_stratum).astype(float)
        f_h = _sampling_fractions(frame, fpc, s_code, n_h)
        data[_N] = (n_h / f_h)[s_code]
    return pl.DataFrame(data), labels


def _level_one(result: Any, by: str | None) -> pd.DataFrame:
    """Rows of an svy prop() result for outcome level 1, indexed by domain label.

    prop() on a 0/1 column reports both levels; when level 1 never occurs in the data
    only level 0 is reported, and the level-1 row is its mirror image."""
    table = result.to_polars().to_pandas()
    key = by if by is not None else "kp_all"
    if by is None:
        table[key] = "all"
    table[key] = table[key].astype(str)
    ones = table[table[_Y] == 1].set_index(key)
    zeros = table[table[_Y] == 0].set_index(key)
    mirrored = pd.DataFrame(
        {
            "est": 1.0 - zeros["est"],
            "se": zeros["se"],
            "lci": 1.0 - zeros["uci"],
            "uci": 1.0 - zeros["lci"],
            "df": zeros["df"],
            "n": zeros["n"],
        }
    )
    missing = mirrored.index.difference(ones.index)
    return pd.concat([ones[mirrored.columns], mirrored.loc[missing]])


def svy_proportions(
    frame: pd.DataFrame,
    *,
    weight: str,
    strata: str | None,
    psu: str,
    outcome: str,
    domain: str | None = None,
    fpc: str | None = None,
    lonely: str = "fail",
) -> pd.DataFrame:
    """Weighted proportions of a 0/1 ``outcome`` estimated by ``svy`` (Taylor linearisation).

    The calls, with the caller's columns renamed to internal names::

        design = svy.Design(stratum=S, psu=P, wgt=W, pop_size=N, singleton=RULE)
        sample = svy.Sample(pl_frame, design)
        sample.estimation.prop(Y, by=D, ci_method="logit")   # estimate, se, df, logit CI, n
        sample.estimation.prop(Y, by=D, ci_method="korn-graubard")  # NCHS Korn–Graubard
        sample.estimation.total(ONE, by=D)                   # weighted_n = Σw in the domain

    ``by=`` is svy's design-based domain estimator: every row and PSU stays in the design
    and the scores are zero outside the domain. Lonely PSUs: ``fail`` → no rule (svy raises
    ``SingletonError``), ``remove`` → ``"skip"``, ``adjust`` → ``"center"``, ``average`` →
    ``"scale"``. ``fpc`` ≤ 1 (a fraction) is converted to N_h = n_h/f_h, because svy only
    accepts population counts. ``df`` and the CIs are svy's own, i.e. R's ``degf()`` of
    the domain (PSUs holding domain members minus their strata), not the design's df.

    Domain values that nobody has (unused categories) get a row with NaN estimates,
    n = 0 and weighted_n = 0: svy reports no row for them.
    """
    import svy

    _check_lonely(lonely)
    data, labels = _svy_frame(
        frame, weight=weight, strata=strata, psu=psu, outcome=outcome, domain=domain, fpc=fpc
    )
    design = svy.Design(
        stratum=_S if strata is not None else None,
        psu=_P,
        wgt=_W,
        pop_size=_N if fpc is not None else None,
        singleton=_SVY_SINGLETON[lonely],
    )
    sample = svy.Sample(data, design)
    by = _D if domain is not None else None
    logit = _level_one(sample.estimation.prop(_Y, by=by, ci_method="logit"), by)
    beta = _level_one(sample.estimation.prop(_Y, by=by, ci_method="korn-graubard"), by)
    totals = sample.estimation.total(_ONE, by=by).to_polars().to_pandas()
    if by is None:
        totals["kp_all"] = "all"
    weighted_n = totals.set_index(by or "kp_all")["est"]
    weighted_n.index = weighted_n.index.astype(str)

    rows = []
    keys = list(labels) if domain is not None else ["all"]
    for key in keys:
        found = key in logit.index
        rows.append(
            {
                "domain": labels[key] if domain is not None else None,
                "estimate": logit.at[key, "est"] if found else np.nan,
                "se": logit.at[key, "se"] if found else np.nan,
                "df": float(logit.at[key, "df"]) if found else np.nan,
                "ci_logit_lower": logit.at[key, "lci"] if found else np.nan,
                "ci_logit_upper": logit.at[key, "uci"] if found else np.nan,
                "ci_beta_lower": beta.at[key, "lci"] if found else np.nan,
                "ci_beta_upper": beta.at[key, "uci"] if found else np.nan,
                "n": int(logit.at[key, "n"]) if found else 0,
                "weighted_n": float(weighted_n.get(key, 0.0)),
            }
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["domain"] = out["domain"].astype(object)
    return out
