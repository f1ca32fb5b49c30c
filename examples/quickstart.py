"""Quickstart: train, evaluate and reload a classifier on the MIT-BIH excerpt inside ecgbeat.

Runs offline in about a minute on a laptop CPU::

    python examples/quickstart.py                 # writes runs/quickstart/
    python examples/quickstart.py --smoke         # a few seconds (what CI runs)

The embedded excerpt holds six records, too few for an honest inter-patient estimate, so this
example uses the intra-patient split (beats of one patient on both sides): it shows the
workflow, not the accuracy to expect on new patients (see ``examples/inter_patient.py``).
"""

from __future__ import annotations

import argparse

import ecgbeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default="runs/quickstart", help="run folder (must be new)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="one epoch of a tiny model")
    args = parser.parse_args()

    # One call: load the embedded beats, split, train with patient-wise validation, keep the
    # best epoch, score the test fold and write checkpoint, history, metrics and figures.
    result = ecgbeat.train(
        "sample",
        protocol="intra-patient",
        model="beatfusion_tiny" if args.smoke else "cnn_stages",
        epochs=1 if args.smoke else args.epochs,
        out_dir=args.out_dir,
        progress=False,
        n_bootstrap=0 if args.smoke else 1000,
    )
    print(result.report)

    # The checkpoint carries the model, the classes and the preprocessing recipe, so it
    # predicts on beats built the same way without any other file.
    clf = ecgbeat.load(result.checkpoint)
    beats = ecgbeat.load_beats("sample", config=clf.config)
    predicted = clf.predict(beats[:10])
    print("first 10 beats, true:     ", [beats.classes[i] for i in beats.y[:10]])
    print("first 10 beats, predicted:", [clf.classes[i] for i in predicted])
    print(f"run folder: {result.out_dir}")


if __name__ == "__main__":
    main()
