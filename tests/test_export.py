"""ONNX export: every zoo model and a trained classifier, checked under onnxruntime."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

pytest.importorskip("onnx", reason="ONNX export needs the onnx extra: pip install 'ecgbeat[onnx]'")
pytest.importorskip(
    "onnxscript", reason="ONNX export needs onnxscript: pip install 'ecgbeat[onnx]'"
)
ort = pytest.importorskip(
    "onnxruntime", reason="the parity checks need onnxruntime: pip install 'ecgbeat[onnx]'"
)

import ecgbeat  # noqa: E402
from ecgbeat.export import check_onnx, export_onnx, read_onnx_metadata  # noqa: E402
from ecgbeat.models import create_model, list_models  # noqa: E402
from ecgbeat.pipeline import BeatConfig  # noqa: E402
from ecgbeat.training import TrainResult  # noqa: E402

# Notes of torch's exporter about its own internals, not about the exported models.
pytestmark = [
    pytest.mark.filterwarnings("ignore:# The axis name:UserWarning"),
    pytest.mark.filterwarnings("ignore:The tensor attributes self.lstm:UserWarning"),
    pytest.mark.filterwarnings("ignore:_check_is_size will be removed:FutureWarning"),
    pytest.mark.filterwarnings("ignore:`isinstance\\(treespec, LeafSpec\\)`:FutureWarning"),
]

#: Not the zoo's default of 256 samples: the Kaggle 187-sample beat format.
LENGTH = 187
N_RR = 8


def trained_like(model: nn.Module) -> nn.Module:
    """Give batch norms non-trivial running statistics, as training would."""
    model.train()
    with torch.no_grad():
        x = 2.0 * torch.randn(16, model.in_channels, model.input_length) + 0.5
        model(x, torch.rand(16, N_RR) + 0.5) if model.uses_rr else model(x)
    return model.eval()


def session(path: Path) -> ort.InferenceSession:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module", params=list_models())
def zoo_export(request, tmp_path_factory) -> tuple[nn.Module, Path]:
    """Each zoo model, built for 187-sample beats, and its ONNX graph."""
    torch.manual_seed(0)
    model = trained_like(
        create_model(request.param, num_classes=5, input_length=LENGTH, num_rr_features=N_RR)
    )
    path = export_onnx(model, tmp_path_factory.mktemp("zoo") / f"{request.param}.onnx")
    return model, path


@pytest.fixture(scope="module")
def run(quick_run, tmp_path_factory) -> TrainResult:
    """A real one-epoch training of the tiny fusion model on a quarter of the sample."""
    return quick_run(ecgbeat.load_beats("sample")[::4], tmp_path_factory.mktemp("run") / "run")


@pytest.fixture(scope="module")
def classifier_export(run, tmp_path_factory) -> Path:
    """The run's best checkpoint exported from its path, the usual way after training."""
    return export_onnx(run.checkpoint, tmp_path_factory.mktemp("clf") / "classifier.onnx")


def tiny_net() -> nn.Module:
    """A small non-zoo module with batch norm and heavy dropout, quick to export."""
    return nn.Sequential(
        nn.Conv1d(1, 4, 5), nn.BatchNorm1d(4), nn.Dropout(0.9), nn.Flatten(), nn.Linear(4 * 28, 3)
    )


def test_every_zoo_model_matches_pytorch_under_onnxruntime_at_two_batch_sizes(zoo_export):
    model, path = zoo_export
    assert check_onnx(path, model, batch_sizes=(1, 7), atol=1e-4) < 1e-4


def test_the_graph_takes_x_and_rr_with_a_free_batch_axis_and_returns_logits(zoo_export):
    model, path = zoo_export
    graph = session(path)
    inputs = {node.name: node.shape for node in graph.get_inputs()}
    expected = {"x": ["batch", 1, LENGTH]}
    if model.uses_rr:
        expected["rr"] = ["batch", N_RR]
    assert inputs == expected
    assert [(o.name, o.shape) for o in graph.get_outputs()] == [("logits", ["batch", 5])]


def test_a_model_with_adaptive_pooling_exports_at_another_beat_length(tmp_path):
    model = trained_like(create_model("cnn_stages", num_classes=3))  # built for 256 samples
    path = export_onnx(model, tmp_path / "cnn_stages.onnx", input_length=360)
    assert session(path).get_inputs()[0].shape == ["batch", 1, 360]
    assert read_onnx_metadata(path)["input_shape"] == [1, 360]
    assert check_onnx(path, model) < 1e-4


def test_a_model_with_an_rr_expert_exports_its_fused_output(tmp_path):
    from ecgbeat.beats import MAJORITY_FREE_RR_FEATURES, RR_FEATURE_NAMES

    torch.manual_seed(0)
    n_rr = len(RR_FEATURE_NAMES)
    model = create_model(
        "beatfusion_tiny", num_rr_features=n_rr, expert_inputs=MAJORITY_FREE_RR_FEATURES
    )
    with torch.no_grad():  # running statistics of both heads, as training would leave
        model.train()(torch.randn(16, 1, 256), torch.rand(16, n_rr) + 0.5)
    path = export_onnx(model.eval(), tmp_path / "expert.onnx")
    assert [o.name for o in session(path).get_outputs()] == ["logits"]
    assert check_onnx(path, model) < 1e-4


def test_an_ensemble_exports_its_mean_probability(tmp_path):
    torch.manual_seed(0)
    members = [
        trained_like(create_model(name, input_length=LENGTH, num_rr_features=N_RR))
        for name in ("beatfusion_tiny", "cnn3")
    ]
    ensemble = ecgbeat.models.Ensemble(members).eval()
    # A bare Ensemble, like any module outside the registry, is told its input shape.
    sizes = {"in_channels": 1, "input_length": LENGTH, "num_rr_features": N_RR}
    path = export_onnx(ensemble, tmp_path / "ensemble.onnx", **sizes)
    assert [i.name for i in session(path).get_inputs()] == ["x", "rr"]
    assert check_onnx(path, ensemble) < 1e-4


def test_a_fibrillation_merge_exports_with_the_model(tmp_path):
    from ecgbeat.beats import MAJORITY_FREE_RR_FEATURES, RR_FEATURE_NAMES

    torch.manual_seed(0)
    n_rr = len(RR_FEATURE_NAMES)
    model = create_model(
        "beatfusion_tiny",
        num_rr_features=n_rr,
        expert_inputs=MAJORITY_FREE_RR_FEATURES,
        fibrillation_merge=(1, 0),
    )
    with torch.no_grad():
        model.train()(torch.randn(16, 1, 256), torch.rand(16, n_rr) + 0.5)
    path = export_onnx(model.eval(), tmp_path / "merge.onnx")
    x = np.random.default_rng(0).standard_normal((4, 1, 256)).astype(np.float32)
    rr = np.random.default_rng(1).uniform(0.5, 1.5, (4, n_rr)).astype(np.float32)
    rr[:2, RR_FEATURE_NAMES.index("organisation")] = 0.2  # disorganised: S moves to N
    (onnx_scores,) = session(path).run(["logits"], {"x": x, "rr": rr})
    with torch.no_grad():
        expected = model(torch.from_numpy(x), torch.from_numpy(rr)).numpy()
    np.testing.assert_allclose(onnx_scores, expected, atol=1e-4)
    assert (onnx_scores[:2, 1] < np.log(1e-5)).all()


def test_check_onnx_detects_a_graph_that_does_not_match_the_model(zoo_export):
    model, path = zoo_export
    other = create_model(**model.model_config)  # same architecture, other weights
    with pytest.raises(RuntimeError, match="differ from the PyTorch model"):
        check_onnx(path, other)


def test_a_trained_classifier_stores_classes_and_preprocessing_in_the_metadata(
    run, classifier_export
):
    meta = read_onnx_metadata(classifier_export)
    clf = run.classifier
    assert meta["classes"] == list(clf.classes)
    assert BeatConfig.from_dict(meta["beat_config"]) == clf.config
    assert meta["leads"] == list(clf.leads)
    assert meta["rr_names"] == list(clf.rr_names)
    assert meta["fs"] == clf.fs
    assert meta["input_shape"] == list(clf.input_shape)
    assert meta["model"]["name"] == "beatfusion_tiny"
    assert meta["record_smoothing"] is None


def test_a_smoothing_classifier_stores_its_smoothing_in_the_metadata(run, tmp_path):
    from ecgbeat.smoothing import RecordSmoothing

    clf = ecgbeat.load(run.checkpoint)
    clf.smoothing = RecordSmoothing(agreed_only=True)
    meta = read_onnx_metadata(export_onnx(clf, tmp_path / "smoothed.onnx"))
    assert RecordSmoothing.from_dict(meta["record_smoothing"]) == clf.smoothing


def test_a_runtime_user_reads_the_metadata_from_onnxruntime_alone(run, classifier_export):
    custom = session(classifier_export).get_modelmeta().custom_metadata_map
    assert custom["classes"] == '["N", "S", "V", "F", "Q"]'
    assert '"normalize": "zscore"' in custom["beat_config"]


def test_the_exported_classifier_gives_the_probabilities_of_predict_proba_on_real_beats(
    run, classifier_export
):
    beats = ecgbeat.load_beats("sample")[:64]
    (logits,) = session(classifier_export).run(["logits"], {"x": beats.X, "rr": beats.rr})
    proba = torch.softmax(torch.from_numpy(logits), dim=1).numpy()
    np.testing.assert_allclose(proba, run.classifier.predict_proba(beats), atol=1e-5)


def test_the_parity_check_accepts_the_checkpoint_it_was_exported_from(run, classifier_export):
    assert check_onnx(classifier_export, run.checkpoint) < 1e-4


def test_classifier_sizes_cannot_be_overridden(run, tmp_path):
    with pytest.raises(ValueError, match="input_length=187 does not match the 252"):
        export_onnx(run.classifier, tmp_path / "c.onnx", input_length=LENGTH)


def test_an_existing_file_is_kept_unless_overwrite_is_true(tmp_path):
    net = tiny_net()
    path = tmp_path / "model.onnx"
    path.write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export_onnx(net, path, in_channels=1, input_length=32)
    assert path.read_bytes() == b"keep me"
    export_onnx(net, path, in_channels=1, input_length=32, overwrite=True)
    assert session(path).get_inputs()[0].shape == ["batch", 1, 32]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]  # no temporary left


def test_the_model_is_traced_in_eval_mode_and_each_module_keeps_its_mode(tmp_path):
    net = tiny_net().train()
    net[1].eval()  # a frozen batch norm, left frozen on purpose
    modes = [m.training for m in net.modules()]
    path = export_onnx(net, tmp_path / "net.onnx", in_channels=1, input_length=32)
    assert [m.training for m in net.modules()] == modes
    # With dropout 0.9 still on, the graph could not match the eval-mode model.
    assert check_onnx(path, net) < 1e-4


def test_a_fixed_batch_graph_takes_exactly_one_beat(tmp_path):
    net = tiny_net()
    path = export_onnx(
        net, tmp_path / "one.onnx", in_channels=1, input_length=32, dynamic_batch=False
    )
    assert session(path).get_inputs()[0].shape == [1, 1, 32]
    assert check_onnx(path, net) < 1e-4
    with pytest.raises(ValueError, match=r"pass batch_sizes=\(1,\)"):
        check_onnx(path, net, batch_sizes=(4,))


def test_a_bare_module_needs_its_input_shape(tmp_path):
    net = nn.Sequential(nn.Flatten(), nn.Linear(20, 3))
    with pytest.raises(ValueError, match=r"pass in_channels=\.\.\., input_length=\.\.\."):
        export_onnx(net, tmp_path / "net.onnx")


def test_a_shape_the_model_cannot_take_is_refused_before_export(tmp_path):
    model = create_model("skipcnn", num_classes=5, input_length=LENGTH)  # fixed-size flatten
    with pytest.raises(ValueError, match="cannot take inputs of shape"):
        export_onnx(model, tmp_path / "skip.onnx", input_length=256)
    with pytest.raises(ValueError, match="cannot take inputs of shape"):
        export_onnx(model, tmp_path / "skip.onnx", in_channels=2)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"input_length": 0}, ValueError, "input_length must be at least 1"),
        ({"input_length": 187.0}, TypeError, "input_length must be an int"),
        ({"num_rr_features": 0}, ValueError, "num_rr_features must be at least 1"),
        ({"opset": 17}, ValueError, "opset must be at least 18"),
    ],
)
def test_bad_sizes_and_opsets_raise_clear_errors(tmp_path, kwargs, error, message):
    model = create_model("beatfusion_tiny", num_classes=5, input_length=LENGTH, num_rr_features=8)
    with pytest.raises(error, match=message):
        export_onnx(model, tmp_path / "m.onnx", **kwargs)


def test_anything_but_a_model_classifier_or_checkpoint_is_refused(tmp_path):
    with pytest.raises(TypeError, match=r"model must be an nn\.Module"):
        export_onnx(np.zeros(3), tmp_path / "m.onnx")
