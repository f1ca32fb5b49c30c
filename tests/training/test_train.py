"""ecgbeat.training.train(): run folder, checkpoints, reload, resume, strategies, bad input."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn

import ecgbeat
from ecgbeat.beats import BeatSet
from ecgbeat.training import Classifier, load, train
from ecgbeat.training.trainer import HISTORY_COLUMNS

#: The smallest model of the zoo that uses RR features, and settings that keep a run to a
#: few seconds on two CPU cores: one network, not the recipe's ensemble.
FAST = {
    "model": "beatfusion_tiny",
    "members": 1,
    "epochs": 2,
    "batch_size": 64,
    "progress": False,
    "n_bootstrap": 0,
}


@pytest.fixture(scope="module")
def trained(small_beats: BeatSet, tmp_path_factory: pytest.TempPathFactory):
    """One short training run on the sample, shared by the tests that only read its output."""
    return train(beats=small_beats, out_dir=tmp_path_factory.mktemp("trained") / "run", **FAST)


def test_a_run_writes_checkpoints_history_metrics_and_figures(trained):
    files = {p.name for p in trained.out_dir.iterdir()}
    assert {
        "best.pt",
        "last.pt",
        "run.json",
        "history.csv",
        "history.json",
        "metrics.json",
        "figures",
    } <= files
    assert any((trained.out_dir / "figures").glob("*.png"))
    assert json.loads((trained.out_dir / "metrics.json").read_text()) == json.loads(
        json.dumps(trained.metrics, default=str)
    )


def test_history_has_one_record_per_epoch_with_every_column(small_beats, tmp_path):
    result = train(beats=small_beats, out_dir=tmp_path / "run", val_fraction=0.2, **FAST)
    assert [h["epoch"] for h in result.history] == [1, 2]
    assert all(tuple(h) == HISTORY_COLUMNS for h in result.history)
    header = (result.out_dir / "history.csv").read_text().splitlines()[0]
    assert header.split(",") == list(HISTORY_COLUMNS)
    assert result.classifier.metadata["training"]["val_records"]


def test_the_inter_patient_recipe_trains_on_every_record_and_keeps_the_last_epoch(
    trained, small_beats
):
    training = trained.classifier.metadata["training"]
    assert training["val_fraction"] == 0 and training["n_val"] == 0
    assert training["val_records"] == []
    assert training["n_train"] == len(small_beats.split("inter-patient")[0])
    assert trained.classifier.metadata["trainer"]["patience"] is None
    # Every epoch ran, without validation columns, and the last one is the checkpoint.
    assert [h["epoch"] for h in trained.history] == [1, 2]
    assert all("val_macro_f1" not in h for h in trained.history)
    best = ecgbeat.training.load_checkpoint(trained.checkpoint)
    last = ecgbeat.training.load_checkpoint(trained.out_dir / "last.pt")
    assert best["metadata"]["epoch"] == 2
    for name, weights in best["model_state"].items():
        torch.testing.assert_close(weights, last["model_state"][name], msg=name)
    header = (trained.out_dir / "history.csv").read_text().splitlines()[0]
    assert header.split(",") == list(HISTORY_COLUMNS)


def test_early_stopping_without_validation_records_is_refused(small_beats, tmp_path):
    with pytest.raises(ValueError, match="needs validation records"):
        train(beats=small_beats, out_dir=tmp_path / "r", val_fraction=0, patience=3, **FAST)
    assert not (tmp_path / "r").exists()


def test_save_then_load_gives_identical_predictions(trained, small_beats):
    clf = load(trained.checkpoint)
    np.testing.assert_array_equal(
        clf.predict_proba(small_beats), trained.classifier.predict_proba(small_beats)
    )
    assert clf.classes == small_beats.classes
    assert clf.leads == small_beats.leads
    assert clf.config.to_dict() == small_beats.params["config"]


def test_loaded_classifier_refuses_beats_of_another_label_map(trained, small_beats):
    clf = load(trained.checkpoint)
    relabelled = BeatSet(**{**small_beats.__dict__, "classes": ("a", "b", "c", "d", "e")})
    with pytest.raises(ValueError, match="label map"):
        clf.predict(relabelled)


def test_loaded_classifier_refuses_beats_prepared_differently(trained, small_beats):
    clf = load(trained.checkpoint)
    params = {**small_beats.params, "config": {**small_beats.params["config"], "normalize": "none"}}
    with pytest.raises(ValueError, match="normalize"):
        clf.predict(BeatSet(**{**small_beats.__dict__, "params": params}))


def test_loaded_classifier_refuses_other_leads_and_shapes(trained, small_beats):
    clf = load(trained.checkpoint)
    with pytest.raises(ValueError, match="leads"):
        clf.predict(BeatSet(**{**small_beats.__dict__, "leads": ("V1",)}))
    with pytest.raises(ValueError, match="shape"):
        clf.predict(small_beats.X[:, :, :100], rr=small_beats.rr)


def test_existing_run_is_never_overwritten(trained, small_beats):
    with pytest.raises(FileExistsError, match="resume=True"):
        train(beats=small_beats, out_dir=trained.out_dir, **FAST)


@pytest.mark.parametrize(
    "options", [{}, {"majority_fraction": 0.5}, {"ema_decay": 0.9}], ids=["plain", "half", "ema"]
)
def test_resume_after_an_interrupt_matches_an_uninterrupted_run(options, small_beats, tmp_path):
    settings = {**FAST, "epochs": 3, "beats": small_beats, "patience": None, **options}
    full = train(out_dir=tmp_path / "full", **settings)

    def interrupt_after_first_epoch(record):
        if record["epoch"] == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(out_dir=tmp_path / "cut", callback=interrupt_after_first_epoch, **settings)
    resumed = train(out_dir=tmp_path / "cut", resume=True, **settings)

    assert [h["epoch"] for h in resumed.history] == [1, 2, 3]
    for a, b in zip(full.history, resumed.history, strict=True):
        assert a["train_loss"] == pytest.approx(b["train_loss"], rel=1e-5)
    for (name, a), b in zip(
        full.model.state_dict().items(), resumed.model.state_dict().values(), strict=True
    ):
        torch.testing.assert_close(a, b, msg=name)


def test_resume_refuses_changed_settings(small_beats, tmp_path):
    train(beats=small_beats, out_dir=tmp_path / "run", **{**FAST, "epochs": 1})
    with pytest.raises(ValueError, match="training settings differ"):
        train(beats=small_beats, out_dir=tmp_path / "run", resume=True, **{**FAST, "lr": 1e-4})


@pytest.mark.parametrize("balance", ["none", "focal", "sampler", "hybrid"])
def test_each_balance_strategy_trains(balance, small_beats, tmp_path):
    result = train(
        beats=small_beats, out_dir=tmp_path / "run", balance=balance, **{**FAST, "epochs": 1}
    )
    assert np.isfinite(result.history[0]["train_loss"])


def test_same_seed_gives_the_same_run(small_beats, tmp_path):
    a = train(beats=small_beats, out_dir=tmp_path / "a", **{**FAST, "epochs": 1})
    b = train(beats=small_beats, out_dir=tmp_path / "b", **{**FAST, "epochs": 1})
    assert a.history[0]["train_loss"] == b.history[0]["train_loss"]


class _PlainNet(nn.Module):
    def __init__(self, num_classes: int = 5) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(1, 4, 7),
            nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
            nn.Flatten(),
            nn.Linear(4, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def test_a_model_instance_trains_and_reloads_with_model_argument(small_beats, tmp_path):
    result = train(beats=small_beats, out_dir=tmp_path / "run", **{**FAST, "model": _PlainNet()})
    with pytest.raises(ValueError, match="load\\(path, model="):
        load(result.checkpoint)
    clf = load(result.checkpoint, model=_PlainNet())
    np.testing.assert_array_equal(clf.predict(small_beats), result.classifier.predict(small_beats))


def test_num_classes_disagreeing_with_the_labels_is_refused(small_beats, tmp_path):
    with pytest.raises(ValueError, match="num_classes=5"):
        train(beats=small_beats, out_dir=tmp_path / "run", **{**FAST, "model": _PlainNet(3)})


def test_nan_beats_are_refused(small_beats, tmp_path):
    X = small_beats.X.copy()
    X[3, 0, 10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        train(beats=BeatSet(**{**small_beats.__dict__, "X": X}), out_dir=tmp_path / "r", **FAST)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised without a GPU")
def test_cuda_without_a_gpu_is_a_clear_error(small_beats, tmp_path):
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        train(beats=small_beats, out_dir=tmp_path / "r", device="cuda", **FAST)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"balance": "magic"}, ValueError, "unknown balance"),
        ({"balance": "focal", "loss": "cross-entropy"}, ValueError, "focal"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"schedule": "step"}, ValueError, "onecycle"),
        ({"augment": "yes"}, TypeError, "Augmentation"),
        ({"model": "no_such_model"}, ValueError, "known models"),
        ({"val_fraction": 1.5}, ValueError, "val_fraction"),
        ({"patience": "soon"}, ValueError, "'auto'"),
        ({"balance": "sampler", "majority_fraction": 0.5}, ValueError, "majority_fraction=1"),
    ],
)
def test_bad_arguments_give_clear_errors(kwargs, error, match, small_beats, tmp_path):
    with pytest.raises(error, match=match):
        train(beats=small_beats, out_dir=tmp_path / "r", **{**FAST, **kwargs})


def test_classifier_rejects_raw_beats_with_nan(trained, small_beats):
    X = small_beats.X[:4].copy()
    X[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        trained.classifier.predict(X, rr=small_beats.rr[:4])


def test_classifier_needs_rr_for_raw_beats_when_the_model_uses_them(trained, small_beats):
    assert isinstance(trained.classifier, Classifier) and trained.classifier.uses_rr
    with pytest.raises(ValueError, match="RR features"):
        trained.classifier.predict(small_beats.X[:4])


def test_train_is_reachable_from_the_package(small_beats):
    assert ecgbeat.training.train is train


def test_inter_patient_training_loads_the_inter_patient_recipe(tmp_path):
    from ecgbeat.beats import MAJORITY_FREE_RR_FEATURES, RELATIVE_RR_FEATURES
    from ecgbeat.training import INTER_PATIENT_CONFIG, INTER_PATIENT_LEADS, INTER_PATIENT_SMOOTHING

    result = train(
        protocol="inter-patient",
        out_dir=tmp_path / "run",
        **{**FAST, "epochs": 1, "model": "beatfusion"},
    )
    clf = result.classifier
    assert clf.config == INTER_PATIENT_CONFIG
    assert INTER_PATIENT_LEADS == "all" and len(clf.leads) == 2
    assert clf.metadata["input_shape"] == [2, 324]  # 1.8 s at 180 Hz
    assert clf.metadata["training"]["class_weight_power"] == 1.0
    assert tuple(clf.metadata["model"]["config"]["rr_inputs"]) == RELATIVE_RR_FEATURES
    assert tuple(clf.metadata["model"]["config"]["expert_inputs"]) == MAJORITY_FREE_RR_FEATURES
    voted = clf.metadata["model"]["config"]["expert_classes"]
    assert [clf.classes[k] for k in voted] == ["N", "S", "V"]
    source, target = clf.metadata["model"]["config"]["fibrillation_merge"]
    assert (clf.classes[source], clf.classes[target]) == ("S", "N")
    unlikely, threshold = clf.metadata["model"]["config"]["min_probability"]
    assert (clf.classes[unlikely], threshold) == ("F", 0.9)
    assert clf.smoothing == INTER_PATIENT_SMOOTHING and clf.smoothing.agreed_only
    # The test fold was scored as the classifier predicts: smoothed within records.
    beats = ecgbeat.load_beats(config=clf.config, leads=INTER_PATIENT_LEADS)
    _, test = beats.split("inter-patient")
    np.testing.assert_allclose(result.report.proba, clf.predict_proba(test), atol=1e-6)
    assert not np.allclose(result.report.proba, clf.network_proba(test), atol=1e-3)
    # The checkpoint rebuilds the model that reads only the relative RR features, with
    # its RR expert on the majority-free ones.
    reloaded = load(result.checkpoint)
    assert reloaded.smoothing == INTER_PATIENT_SMOOTHING
    assert reloaded.model.rr_branch[0].num_features == len(RELATIVE_RR_FEATURES)
    assert reloaded.model.rr_expert[0].num_features == len(MAJORITY_FREE_RR_FEATURES)


def test_a_model_with_an_rr_expert_trains_both_heads_and_reloads(small_beats, tmp_path):
    from ecgbeat.beats import MAJORITY_FREE_RR_FEATURES

    torch.manual_seed(0)
    net = ecgbeat.create_model(
        "beatfusion_tiny",
        num_classes=small_beats.num_classes,
        in_channels=small_beats.X.shape[1],
        input_length=small_beats.X.shape[2],
        num_rr_features=small_beats.rr.shape[1],
        expert_inputs=MAJORITY_FREE_RR_FEATURES,
    )
    initial = {k: v.clone() for k, v in net.state_dict().items()}
    result = train(beats=small_beats, out_dir=tmp_path / "run", **{**FAST, "model": net})
    trained = result.classifier.model.state_dict()
    # Both heads learned: the training loss is the sum of their losses.
    for head in ("classifier.", "rr_expert."):
        weights = [k for k in initial if k.startswith(head) and k.endswith("weight")]
        assert weights and all(not torch.equal(initial[k], trained[k]) for k in weights)
    proba = load(result.checkpoint).predict_proba(small_beats)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(proba, result.classifier.predict_proba(small_beats), rtol=1e-5)


def test_the_recipe_leaves_explicit_training_settings_alone(small_beats, tmp_path):
    result = train(
        beats=small_beats,
        protocol="inter-patient",
        class_weight_power=0.5,
        model_kwargs={"dropout": 0.1},
        out_dir=tmp_path / "run",
        **{**FAST, "epochs": 1, "model": "beatfusion"},
    )
    metadata = result.classifier.metadata
    assert metadata["training"]["class_weight_power"] == 0.5
    assert "rr_inputs" not in metadata["model"]["config"]
    # The smoothing was chosen for the recipe's model; another model is left unsmoothed.
    assert result.classifier.smoothing is None
    assert result.model.rr_branch[0].num_features == small_beats.rr.shape[1]


def test_the_recipes_expert_votes_on_every_class_of_a_label_map_without_n_s_or_v(
    small_beats, tmp_path
):
    renamed = replace(small_beats, classes=tuple(c.lower() for c in small_beats.classes))
    result = train(
        beats=renamed,
        protocol="inter-patient",
        out_dir=tmp_path / "run",
        **{**FAST, "epochs": 1, "model": "beatfusion"},
    )
    assert "expert_classes" not in result.classifier.metadata["model"]["config"]
    assert result.model.expert_mask.tolist() == [1.0] * renamed.num_classes
    assert result.model.fibrillation_merge is None
    assert result.model.min_probability is None


def test_other_protocols_keep_square_root_class_weights_and_one_network(small_beats, tmp_path):
    settings = {k: v for k, v in FAST.items() if k != "members"}
    result = train(
        beats=small_beats, protocol="intra-patient", out_dir=tmp_path / "run", **settings
    )
    assert result.classifier.metadata["training"]["class_weight_power"] == 0.5
    assert result.members == [] and result.history
    assert result.classifier.smoothing is None


def test_an_explicit_config_and_lead_replace_the_inter_patient_recipe(tmp_path):
    config = ecgbeat.BeatConfig(before_s=0.2, after_s=0.3)
    result = train(
        protocol="inter-patient",
        config=config,
        leads="MLII",
        out_dir=tmp_path / "run",
        **{**FAST, "epochs": 1},
    )
    assert result.classifier.config == config
    assert result.classifier.metadata["input_shape"] == [1, 180]  # 0.5 s at 360 Hz


@pytest.fixture(scope="module")
def ensemble_run(small_beats: BeatSet, tmp_path_factory: pytest.TempPathFactory):
    """A two-member run from seed 4, with the epoch records its callback saw."""
    records = []
    result = train(
        beats=small_beats,
        out_dir=tmp_path_factory.mktemp("ensemble") / "run",
        callback=records.append,
        **{**FAST, "epochs": 1, "members": 2, "seed": 4},
    )
    return result, records


def test_members_train_consecutive_seeds_each_in_a_run_folder_of_its_own(ensemble_run):
    result, records = ensemble_run
    assert [m.out_dir.name for m in result.members] == ["seed-4", "seed-5"]
    assert [m.classifier.metadata["training"]["seed"] for m in result.members] == [4, 5]
    for member in result.members:
        assert member.out_dir.parent == result.out_dir
        assert {"best.pt", "last.pt", "run.json", "history.csv", "metrics.json"} <= {
            p.name for p in member.out_dir.iterdir()
        }
        assert [h["epoch"] for h in member.history] == [1]
        assert member.metrics is not None
    assert {"best.pt", "run.json", "metrics.json", "figures"} <= {
        p.name for p in result.out_dir.iterdir()
    }
    assert result.history == [] and result.metrics is not None
    assert [(r["member"], r["epoch"]) for r in records] == [(0, 1), (1, 1)]


def test_an_ensemble_run_predicts_the_mean_of_its_members_and_reloads(ensemble_run, small_beats):
    result, _ = ensemble_run
    test = small_beats.split("inter-patient")[1]
    mean = np.mean([m.classifier.predict_proba(test) for m in result.members], axis=0)
    np.testing.assert_allclose(result.classifier.predict_proba(test), mean, rtol=1e-5, atol=1e-6)
    reloaded = load(result.checkpoint)
    np.testing.assert_allclose(reloaded.predict_proba(test), mean, rtol=1e-5, atol=1e-6)
    assert [m["training"]["seed"] for m in reloaded.metadata["members"]] == [4, 5]
    saved = json.loads((result.out_dir / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(result.metrics, default=str))


def test_a_member_is_the_network_a_single_run_of_its_seed_trains(
    ensemble_run, small_beats, tmp_path
):
    result, _ = ensemble_run
    single = train(beats=small_beats, out_dir=tmp_path / "run", **{**FAST, "epochs": 1, "seed": 5})
    for (name, a), b in zip(
        single.model.state_dict().items(),
        result.members[1].model.state_dict().values(),
        strict=True,
    ):
        torch.testing.assert_close(a, b, msg=name)


def test_a_finished_ensemble_resumes_to_the_same_classifier(ensemble_run, small_beats):
    result, _ = ensemble_run
    settings = {**FAST, "epochs": 1, "members": 2, "seed": 4}
    with pytest.raises(FileExistsError, match="resume=True"):
        train(beats=small_beats, out_dir=result.out_dir, **settings)
    resumed = train(beats=small_beats, out_dir=result.out_dir, resume=True, **settings)
    np.testing.assert_allclose(
        resumed.classifier.predict_proba(small_beats),
        result.classifier.predict_proba(small_beats),
        rtol=1e-5,
        atol=1e-6,
    )


def test_an_interrupted_ensemble_is_kept_and_resumes_to_the_uninterrupted_one(
    ensemble_run, small_beats, tmp_path
):
    result, _ = ensemble_run
    settings = {**FAST, "epochs": 1, "members": 2, "seed": 4, "beats": small_beats}

    def interrupt_in_the_second_member(record):
        if record["member"] == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(out_dir=tmp_path / "cut", callback=interrupt_in_the_second_member, **settings)
    assert not (tmp_path / "cut" / "best.pt").exists()
    with pytest.raises(FileExistsError, match="resume=True"):
        train(out_dir=tmp_path / "cut", **settings)
    resumed = train(out_dir=tmp_path / "cut", resume=True, **settings)
    np.testing.assert_allclose(
        resumed.classifier.predict_proba(small_beats),
        result.classifier.predict_proba(small_beats),
        rtol=1e-5,
        atol=1e-6,
    )


def test_resuming_with_another_number_of_members_is_refused(ensemble_run, trained, small_beats):
    result, _ = ensemble_run
    with pytest.raises(ValueError, match=r"run of 2 network.*members=1"):
        train(beats=small_beats, out_dir=result.out_dir, resume=True, **FAST)
    with pytest.raises(ValueError, match=r"run of 1 network.*members=2"):
        train(beats=small_beats, out_dir=trained.out_dir, resume=True, **{**FAST, "members": 2})


@pytest.mark.parametrize("members", [0, -1, True, 1.5])
def test_members_must_be_a_positive_integer(members, small_beats, tmp_path):
    with pytest.raises(ValueError, match="members must be a positive integer"):
        train(beats=small_beats, out_dir=tmp_path / "r", **{**FAST, "members": members})


def test_an_ensemble_of_a_built_model_is_refused(small_beats, tmp_path):
    with pytest.raises(ValueError, match="members=1"):
        train(
            beats=small_beats,
            out_dir=tmp_path / "r",
            **{**FAST, "members": 2, "model": _PlainNet()},
        )
