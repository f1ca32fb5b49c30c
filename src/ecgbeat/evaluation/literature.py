"""Published inter-patient (DS1 -> DS2) results on the MIT-BIH Arrhythmia Database.

The figures are the gross statistics the papers report for the test half DS2 of the
de Chazal et al. 2004 protocol, in percent. They are not exactly comparable with each
other or with ecgbeat: the papers differ in the beat-to-class map (de Chazal vs EC57),
in whether the first 5 minutes are scored and in beat detection. They set the scale.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["INTER_PATIENT_RESULTS", "PublishedResult", "comparison_table"]


@dataclass(frozen=True)
class PublishedResult:
    """One published inter-patient result (percent).

    Examples
    --------
    >>> INTER_PATIENT_RESULTS[0].method, INTER_PATIENT_RESULTS[0].veb_ppv
    ('de Chazal et al. 2004', 82.0)
    """

    method: str
    citation: str
    accuracy: float
    sveb_se: float
    sveb_ppv: float
    veb_se: float
    veb_ppv: float


#: Inter-patient results on DS2, from the papers cited in each entry.
INTER_PATIENT_RESULTS: tuple[PublishedResult, ...] = (
    PublishedResult(
        method="de Chazal et al. 2004",
        citation=(
            "P. de Chazal, M. O'Dwyer, R. B. Reilly. Automatic classification of heartbeats "
            "using ECG morphology and heartbeat interval features. IEEE Trans. Biomed. Eng. "
            "51(7):1196-1206, 2004."
        ),
        accuracy=86.2,
        sveb_se=76.0,
        sveb_ppv=38.0,
        veb_se=77.0,
        veb_ppv=82.0,
    ),
    PublishedResult(
        method="Llamedo & Martinez 2011",
        citation=(
            "M. Llamedo, J. P. Martinez. Heartbeat classification using feature selection "
            "driven by database generalization criteria. IEEE Trans. Biomed. Eng. "
            "58(3):616-625, 2011."
        ),
        accuracy=93.0,
        sveb_se=77.0,
        sveb_ppv=39.0,
        veb_se=81.0,
        veb_ppv=87.0,
    ),
    PublishedResult(
        method="Mar et al. 2011",
        citation=(
            "T. Mar, S. Zaunseder, J. P. Martinez, M. Llamedo, R. Poll. Optimization of ECG "
            "classification by means of feature selection. IEEE Trans. Biomed. Eng. "
            "58(8):2168-2177, 2011."
        ),
        accuracy=89.9,
        sveb_se=83.2,
        sveb_ppv=33.5,
        veb_se=86.8,
        veb_ppv=75.9,
    ),
    PublishedResult(
        method="Zhang et al. 2014",
        citation=(
            "Z. Zhang, J. Dong, X. Luo, K.-S. Choi, X. Wu. Heartbeat classification using "
            "disease-specific feature selection. Comput. Biol. Med. 46:79-89, 2014."
        ),
        accuracy=88.3,
        sveb_se=79.1,
        sveb_ppv=36.0,
        veb_se=85.5,
        veb_ppv=92.7,
    ),
    PublishedResult(
        method="Lin & Yang 2014",
        citation=(
            "C.-C. Lin, C.-M. Yang. Heartbeat classification using normalized RR intervals "
            "and morphological features. Math. Probl. Eng. 2014:712474, 2014."
        ),
        accuracy=93.0,
        sveb_se=81.0,
        sveb_ppv=31.0,
        veb_se=86.0,
        veb_ppv=73.0,
    ),
    PublishedResult(
        method="Garcia et al. 2017",
        citation=(
            "G. Garcia, G. Moreira, D. Menotti, E. Luz. Inter-patient ECG heartbeat "
            "classification with temporal VCG optimized by PSO. Sci. Rep. 7:10543, 2017."
        ),
        accuracy=92.4,
        sveb_se=62.0,
        sveb_ppv=53.0,
        veb_se=87.3,
        veb_ppv=59.4,
    ),
)

_COLUMNS = ("accuracy", "sveb_se", "sveb_ppv", "veb_se", "veb_ppv")


def comparison_table(
    ours: Mapping[str, float | None], *, method: str = "ecgbeat (this run)"
) -> list[dict[str, Any]]:
    """Rows of the published results with ours appended last.

    Parameters
    ----------
    ours : mapping
        Our ``accuracy``, ``sveb_se``, ``sveb_ppv``, ``veb_se`` and ``veb_ppv`` as
        fractions in [0, 1] (as the report holds them); missing or None values stay None.
    method : str
        Name of our row.

    Returns
    -------
    list of dict
        Keys ``method``, ``citation`` and the five figures, in percent.

    Examples
    --------
    >>> rows = comparison_table({"accuracy": 0.9, "veb_se": 0.8})
    >>> rows[-1]["method"], rows[-1]["accuracy"], rows[-1]["sveb_se"]
    ('ecgbeat (this run)', 90.0, None)
    >>> len(rows) == len(INTER_PATIENT_RESULTS) + 1
    True
    """
    rows = [asdict(result) for result in INTER_PATIENT_RESULTS]
    mine: dict[str, Any] = {"method": method, "citation": ""}
    for key in _COLUMNS:
        value = ours.get(key)
        mine[key] = None if value is None or math.isnan(value) else round(100 * float(value), 1)
    rows.append(mine)
    return rows
