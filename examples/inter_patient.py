"""Inter-patient evaluation: train on MIT-BIH DS1, test on the unseen patients of DS2 (EC57).

The protocol of de Chazal et al. 2004: 22 training records (DS1), 22 test records (DS2), paced
records excluded, AAMI classes N, S, V, F, Q. The test records are never used for any
choice: the recipe's settings were chosen on a patient-wise cross-validation of DS1. It
trains three networks from consecutive seeds on every DS1 record for every epoch, keeps each
one's last epoch and averages their probabilities. Usage::

    python examples/inter_patient.py --data-dir /path/to/data     # or set ECGBEAT_DATA
    python examples/inter_patient.py --smoke                      # embedded excerpt, seconds

``--data-dir`` is a folder holding ``mitdb/`` (or the ``mitdb`` folder itself).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import ecgbeat
from ecgbeat.training import DEFAULT_MODEL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="data folder (default: ECGBEAT_DATA)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="zoo model (ecgbeat models)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--out-dir", default="runs/inter_patient", help="run folder (must be new)")
    parser.add_argument("--smoke", action="store_true", help="embedded excerpt, one epoch")
    args = parser.parse_args()

    # The embedded excerpt holds a few DS1 and DS2 records, enough to exercise the protocol
    # end to end (not to measure anything).
    result = ecgbeat.train(
        "sample" if args.smoke else "mitdb",
        data_dir=args.data_dir,
        protocol="inter-patient",
        model="beatfusion_tiny" if args.smoke else args.model,
        epochs=1 if args.smoke else args.epochs,
        out_dir=args.out_dir,
        progress=False,
        n_bootstrap=0 if args.smoke else 1000,
    )

    # The report holds the per-class metrics, the EC57 SVEB/VEB statistics (gross and
    # averaged over records) and the comparison with the published inter-patient results.
    report = result.report
    print(report)
    for member in result.members:
        print(f"{member.out_dir.name} alone:", member.report.headline())
    print("headline figures of the ensemble:", report.headline())
    Path(result.out_dir, "report.md").write_text(report.to_markdown())
    print(f"report: {Path(result.out_dir, 'report.md')}")


if __name__ == "__main__":
    main()
