"""The deterministic demo data: the same workbooks users load, marked synthetic.

The plan registry and the region register of the five plans are real (`registry/`);
everything else is synthetic, calibrated to the figures the plans publish:

- `generator.registry`: one registry workbook per plan, and the region register with the
  synthetic towns and villages the returns are reported for;
- `generator.funding`: populations and funding returns, one workbook per year;
- `generator.survey`: literacy survey waves (microdata on a two-stage cluster design);
- `generator.records`: facility, activity, register and measure-report returns behind
  the count, stock and coverage targets.

The same seed gives the same rows.
"""

from __future__ import annotations

from pathlib import Path

from generator.funding import population_frame, yearly_workbooks
from generator.records import generate_records
from generator.registry import regions_workbook, registry_workbooks
from generator.survey import generate_waves

SEED = 20_261_124


def generate(folder: Path, seed: int = SEED) -> list[Path]:
    """Write the demo workbooks into `folder` and return their paths, in load order."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        regions_workbook(folder),
        *registry_workbooks(folder),
        *yearly_workbooks(folder, population_frame(), seed),
        *generate_waves(folder, seed),
        *generate_records(folder, seed),
    ]
