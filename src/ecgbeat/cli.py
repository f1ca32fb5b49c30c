"""The ``ecgbeat`` command line: thin sub-commands over the public API."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["build_parser", "main"]

#: Figures printed for each member of an ensemble run, after the ensemble's report.
MEMBER_FIGURES = ("accuracy", "macro_f1", "sveb_f1", "veb_f1")


def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset", default="sample", help="database name: sample (embedded), mitdb, svdb, ..."
    )
    parser.add_argument("--data-dir", default=None, help="database folder (default: ECGBEAT_DATA)")
    parser.add_argument("--records", nargs="+", default=None, help="record names to load")
    parser.add_argument(
        "--protocol",
        default="inter-patient",
        choices=["inter-patient", "intra-patient", "none"],
        help="evaluation protocol (default: inter-patient, DS1 -> DS2)",
    )
    parser.add_argument("--download", action="store_true", help="fetch missing data from PhysioNet")


def _protocol(value: str) -> str | None:
    return None if value == "none" else value


def _leads(values: list[str] | None) -> object:
    if not values:
        return None
    if values == ["all"]:
        return "all"
    return [int(v) if v.isdigit() else v for v in values]


def _beat_config(args: argparse.Namespace):  # -> BeatConfig | None
    from ecgbeat.pipeline import BeatConfig

    fields = {
        "segmentation": args.segmentation,
        "before_s": args.before_s,
        "after_s": args.after_s,
        "fs": args.fs,
        "normalize": args.normalize,
    }
    given = {k: v for k, v in fields.items() if v is not None}
    return BeatConfig(**given) if given else None


def _cmd_train(args: argparse.Namespace) -> int:
    import ecgbeat

    result = ecgbeat.train(
        args.dataset,
        data_dir=args.data_dir,
        records=args.records,
        protocol=_protocol(args.protocol),
        model=args.model,
        balance=args.balance,
        loss=args.loss,
        epochs=args.epochs,
        batch_size=args.batch_size,
        class_weight_power=args.class_weight_power,
        lr=args.lr,
        schedule=args.schedule,
        patience="auto" if args.patience is None else args.patience,
        device=args.device,
        out_dir=args.out_dir,
        seed=args.seed,
        members=args.members,
        augment=not args.no_augment,
        val_fraction=args.val_fraction,
        amp=not args.no_amp,
        compile=args.compile,
        majority_fraction=args.majority_fraction,
        config=_beat_config(args),
        leads=_leads(args.leads),
        label_map=args.label_map,
        resume=args.resume,
        progress=not args.no_progress,
    )
    print(f"run folder: {result.out_dir}")
    print(f"checkpoint: {result.checkpoint}")
    if result.report is not None:
        print(result.report)
    # An ensemble's members were scored alone too: their spread is what the seed does.
    for member in result.members:
        if member.report is not None:
            figures = member.report.headline()
            shown = ", ".join(f"{k} {figures[k]:.3f}" for k in MEMBER_FIGURES if k in figures)
            print(f"{member.out_dir.name} alone: {shown}")
    return 0


def _load_for(classifier, args: argparse.Namespace):  # -> BeatSet
    from ecgbeat import load_beats

    return load_beats(
        args.dataset,
        data_dir=args.data_dir,
        records=args.records,
        protocol=_protocol(args.protocol),
        config=classifier.config,
        label_map=classifier.label_map,
        leads=classifier.metadata.get("lead_spec"),
        download=args.download,
    )


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from ecgbeat import evaluate, load

    classifier = load(args.checkpoint)
    beats = _load_for(classifier, args)
    if args.protocol != "none" and not args.records:
        _, beats = beats.split(args.protocol)
    report = evaluate(classifier, beats, n_bootstrap=args.n_bootstrap)
    print(report)
    if args.json:
        report.to_json(args.json)
    if args.figures:
        report.save_figures(args.figures)
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    import numpy as np

    from ecgbeat import grad_cam, load, plots

    classifier = load(args.checkpoint)
    beats = _load_for(classifier, args)
    if args.record is not None:
        beats = beats[beats.record == args.record]
    if not 0 <= args.beat < len(beats):
        raise SystemExit(f"error: --beat must lie in [0, {len(beats)}) for the selected beats")
    beat = beats[np.array([args.beat])]
    # Scored with its whole record, as evaluate() scores it: a classifier that smooths
    # within records compares the beat with its like beats.
    same_record = np.flatnonzero(beats.record == beat.record[0])
    proba = classifier.predict_proba(beats[same_record])[same_record == args.beat][0]
    rr = beat.rr if classifier.uses_rr else None
    cam = grad_cam(classifier.model, beat.X, rr=rr, layer=args.layer)[0]
    true = beats.classes[beat.y[0]]
    title = f"record {beat.record[0]}, beat {args.beat} (annotated {true})"
    figure = plots.gradcam_beat(beat.X[0], cam, proba, classifier.classes, fs=beat.fs, title=title)
    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise SystemExit(f"error: {out} exists; pass --overwrite or choose another --out")
    plots.save_figure(figure, out)
    print(
        f"wrote {out}: predicted {classifier.classes[int(proba.argmax())]} "
        f"({proba.max():.2f}), annotated {true}"
    )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from ecgbeat.evaluation import write_html_report

    path = write_html_report(args.run_dir, out=args.out, overwrite=args.overwrite)
    print(f"wrote {path}")
    return 0


def _cmd_beats(args: argparse.Namespace) -> int:
    from ecgbeat import load_beats

    beats = load_beats(
        args.dataset,
        data_dir=args.data_dir,
        records=args.records,
        protocol=_protocol(args.protocol),
        leads=_leads(args.leads),
        label_map=args.label_map,
        download=args.download,
    )
    print(beats)
    if args.protocol != "none" and not args.records:
        for name, part in zip(("train", "test"), beats.split(args.protocol), strict=True):
            print(f"{name:>5}: {len(part.records)} records, {part.class_counts()}")
    summary = {k: v for k, v in beats.summary.items() if k != "skipped_records"}
    print(json.dumps(summary))
    for skipped in beats.summary.get("skipped_records", []):
        print(f"skipped {skipped['record']}: {skipped['reason']}")
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    from ecgbeat.predict import predict_command

    table = predict_command(
        args.record,
        model=args.model,
        out=args.out,
        data_dir=args.data_dir,
        fs=args.fs,
        lead=args.lead,
        overwrite=args.overwrite,
    )
    print(repr(table))
    print(json.dumps(table.counts()))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from ecgbeat.export import check_onnx, export_onnx

    path = export_onnx(args.checkpoint, args.out, overwrite=args.overwrite)
    error = check_onnx(path, args.checkpoint)
    print(f"wrote {path}; largest logit difference to PyTorch: {error:.2e}")
    return 0


def _cmd_ensemble(args: argparse.Namespace) -> int:
    from ecgbeat import ensemble

    path = ensemble(args.checkpoints).save(args.out, overwrite=args.overwrite)
    print(f"wrote {path}: the mean probabilities of {len(args.checkpoints)} classifiers")
    return 0


def _cmd_app(args: argparse.Namespace) -> int:
    from ecgbeat.app import run_app

    return run_app(port=args.port, headless=not args.browser, model=args.model)


def _cmd_models(args: argparse.Namespace) -> int:
    from ecgbeat.models import create_model, list_models

    print(f"{'model':<18} {'RR':>3} {'parameters':>11}")
    for name in list_models():
        model = create_model(name, input_length=args.input_length, num_rr_features=8)
        n = sum(p.numel() for p in model.parameters())
        print(f"{name:<18} {'yes' if model.uses_rr else 'no':>3} {n:>11,}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``ecgbeat`` command.

    Examples
    --------
    >>> parser = build_parser()
    >>> parser.parse_args(["train", "--epochs", "2"]).epochs
    2
    """
    parser = argparse.ArgumentParser(
        prog="ecgbeat",
        description="Heartbeat classification from ECG with honest, inter-patient evaluation.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = sub.add_parser("train", help="train, evaluate and save a classifier")
    _add_data_arguments(train)
    train.add_argument("--model", default="beatfusion", help="zoo model name (ecgbeat models)")
    train.add_argument(
        "--balance",
        default="class-weight",
        help="none, class-weight, focal, sampler, smote, adasyn, oversample, undersample or hybrid",
    )
    train.add_argument("--loss", default=None, choices=["cross-entropy", "focal"])
    train.add_argument("--epochs", type=int, default=20)
    train.add_argument("--batch-size", type=int, default=None, help="default: by training size")
    train.add_argument(
        "--class-weight-power",
        type=float,
        default=None,
        help="exponent of the class weights (1: balanced, 0.5: square root); "
        "default: 1 for the inter-patient protocol, else 0.5",
    )
    train.add_argument("--lr", type=float, default=3e-3)
    train.add_argument("--schedule", default="onecycle", choices=["onecycle", "cosine", "constant"])
    train.add_argument(
        "--patience",
        type=int,
        default=None,
        help="early-stopping patience (epochs); default: 6 with validation records, else none",
    )
    train.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    train.add_argument("--out-dir", default=None, help="run folder (default: runs/<name>-<time>)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--members",
        type=int,
        default=None,
        help="networks trained from seeds --seed, --seed + 1, ... and averaged into one "
        "ensemble; default: 3 for the inter-patient protocol, else 1",
    )
    train.add_argument(
        "--val-fraction",
        type=float,
        default=None,
        help="share of the training records held out for validation; default: 0 for the "
        "inter-patient protocol (every record trains, the last epoch is kept), else 0.2",
    )
    train.add_argument("--leads", nargs="+", default=None, help="lead names, indices or 'all'")
    train.add_argument("--label-map", default=None, help="aami-dechazal, aami-ec57, mitbih6")
    train.add_argument("--segmentation", default=None, choices=["window", "kachuee187"])
    train.add_argument("--before-s", type=float, default=None, help="window before the R peak")
    train.add_argument("--after-s", type=float, default=None, help="window after the R peak")
    train.add_argument("--fs", type=float, default=None, help="resample records to this rate")
    train.add_argument("--normalize", default=None, choices=["zscore", "minmax", "none"])
    train.add_argument("--no-augment", action="store_true")
    train.add_argument("--no-amp", action="store_true")
    train.add_argument("--compile", action="store_true", help="torch.compile the model")
    train.add_argument(
        "--majority-fraction",
        type=float,
        default=1.0,
        help="share of the most frequent class's beats each epoch uses (fresh subset per epoch)",
    )
    train.add_argument("--resume", action="store_true", help="continue the run in --out-dir")
    train.add_argument("--no-progress", action="store_true")
    train.set_defaults(func=_cmd_train)

    evaluate = sub.add_parser("evaluate", help="score a checkpoint (test records of the protocol)")
    evaluate.add_argument("checkpoint")
    _add_data_arguments(evaluate)
    evaluate.add_argument("--json", default=None, help="write the report as JSON")
    evaluate.add_argument("--figures", default=None, help="write the charts to this folder")
    evaluate.add_argument("--n-bootstrap", type=int, default=1000)
    evaluate.set_defaults(func=_cmd_evaluate)

    explain = sub.add_parser("explain", help="Grad-CAM figure of one beat")
    explain.add_argument("checkpoint")
    _add_data_arguments(explain)
    explain.add_argument("--record", default=None, help="record of the beat")
    explain.add_argument("--beat", type=int, default=0, help="index of the beat in the record")
    explain.add_argument("--layer", default=None, help="convolution layer (default: last)")
    explain.add_argument("--out", default="gradcam.png")
    explain.add_argument("--overwrite", action="store_true")
    explain.set_defaults(func=_cmd_explain)

    report = sub.add_parser("report", help="one offline HTML page of a run's metrics and figures")
    report.add_argument("run_dir")
    report.add_argument("--out", default=None)
    report.add_argument("--overwrite", action="store_true")
    report.set_defaults(func=_cmd_report)

    beats = sub.add_parser("beats", help="build a beat set and print its class counts")
    _add_data_arguments(beats)
    beats.add_argument("--leads", nargs="+", default=None)
    beats.add_argument("--label-map", default=None)
    beats.set_defaults(func=_cmd_beats)

    predict = sub.add_parser("predict", help="locate and classify every beat of a raw record")
    predict.add_argument("record", help="WFDB record path, .csv or .npy file")
    predict.add_argument("--model", required=True, help="checkpoint (.pt) of a trained model")
    predict.add_argument("--out", default="beats.csv", help="beat table (CSV)")
    predict.add_argument("--data-dir", default=None, help="folder of a WFDB record given by name")
    predict.add_argument("--fs", type=float, default=None, help="sampling rate of a .csv/.npy")
    predict.add_argument("--lead", default=None, help="lead name or index to read")
    predict.add_argument("--overwrite", action="store_true")
    predict.set_defaults(func=_cmd_predict)

    export = sub.add_parser("export", help="export a checkpoint to ONNX, checked with onnxruntime")
    export.add_argument("checkpoint")
    export.add_argument("--out", default="model.onnx")
    export.add_argument("--overwrite", action="store_true")
    export.set_defaults(func=_cmd_export)

    combine = sub.add_parser(
        "ensemble", help="combine checkpoints of one recipe (mean class probabilities)"
    )
    combine.add_argument("checkpoints", nargs="+", help="two or more best.pt files")
    combine.add_argument("--out", default="ensemble.pt")
    combine.add_argument("--overwrite", action="store_true")
    combine.set_defaults(func=_cmd_ensemble)

    app = sub.add_parser("app", help="start the dashboard (needs ecgbeat[app])")
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--model", default=None, help="checkpoint to open (default: pretrained)")
    app.add_argument("--browser", action="store_true", help="open a browser window")
    app.set_defaults(func=_cmd_app)

    models = sub.add_parser("models", help="list the model zoo")
    models.add_argument("--input-length", type=int, default=252)
    models.set_defaults(func=_cmd_models)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ecgbeat`` command; errors print one line instead of a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, FileExistsError, TypeError, ImportError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
