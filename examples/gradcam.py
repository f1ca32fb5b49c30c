"""Grad-CAM on chosen beats: which samples of each beat drove the classifier's decision.

Explains a trained checkpoint (``--checkpoint``), or trains a small model on the embedded
MIT-BIH excerpt first, then draws one beat per class by default (or the beats given with
``--beats``) with its relevance map and class probabilities::

    python examples/gradcam.py --checkpoint runs/quickstart/best.pt --beats 12 40 77
    python examples/gradcam.py --smoke        # trains one epoch first; writes gradcam/*.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import ecgbeat
from ecgbeat import plots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", help="a checkpoint of ecgbeat.train (default: train one)")
    parser.add_argument("--beats", type=int, nargs="*", help="beat indices (default: per class)")
    parser.add_argument("--out-dir", default="gradcam", help="where the figures go")
    parser.add_argument("--smoke", action="store_true", help="train one epoch first")
    args = parser.parse_args()
    out = Path(args.out_dir)

    if args.checkpoint is None:
        result = ecgbeat.train(
            "sample",
            protocol="intra-patient",
            model="beatfusion_tiny" if args.smoke else "cnn_stages",
            epochs=1 if args.smoke else 10,
            out_dir=out / "run",
            progress=False,
            n_bootstrap=0,
        )
        args.checkpoint = result.checkpoint
    clf = ecgbeat.load(args.checkpoint)
    # Beats built with the checkpoint's own recipe (filters, window, normalisation).
    beats = ecgbeat.load_beats("sample", config=clf.config)

    if args.beats:
        chosen = np.asarray(args.beats)
    else:  # the first beat of every class present
        chosen = np.array([np.flatnonzero(beats.y == k)[0] for k in np.unique(beats.y)])
    picked = beats[chosen]

    # Maps for the predicted class of each beat, resampled to the beat length, in [0, 1].
    # Models that read RR-interval features take them too.
    rr = picked.rr if getattr(clf.model, "uses_rr", False) else None
    cams = ecgbeat.grad_cam(clf.model, picked.X, rr=rr)
    proba = clf.predict_proba(picked)

    for i, index in enumerate(chosen):
        fig = plots.gradcam_beat(
            picked.X[i],
            cams[i],
            proba[i],
            clf.classes,
            fs=picked.fs,
            title=f"beat {index} of record {picked.record[i]}, "
            f"true class {picked.classes[picked.y[i]]}",
        )
        print(f"beat {index}: {plots.save_figure(fig, out / f'beat_{index}.png')}")
    per_class = int(np.bincount(picked.y).max())  # as many columns as the fullest row needs
    gallery = plots.gradcam_gallery(
        picked.X, cams, picked.y, picked.classes, per_class=per_class, fs=picked.fs
    )
    print(f"gallery: {plots.save_figure(gallery, out / 'gallery.png')}")


if __name__ == "__main__":
    main()
