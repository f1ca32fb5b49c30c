"""The fusion model learns from beat shape and from RR features alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ecgbeat.beats import MAJORITY_FREE_RR_FEATURES, RELATIVE_RR_FEATURES, RR_FEATURE_NAMES
from ecgbeat.models import BeatFusion, create_model

LENGTH = 96
PREMATURITY_FEATURES = ("pre_rr_s", "pre_over_local", "pre_over_record", "pre_over_post")


def synthetic_beats(n: int, *, seed: int, informative: str):
    """Two classes told apart either by QRS width ("shape") or by prematurity ("rr").

    With ``informative="shape"`` the class sets the width of a Gaussian QRS and the RR
    features are noise; with ``informative="rr"`` every beat has the same waveform and the
    class sets the four features built on the previous RR interval (pre_rr_s and its
    ratios to the local, record and next RR: about 1.0 for class 0, 0.6 for a premature
    beat), the way :func:`ecgbeat.beats.rr_features` shows prematurity.
    """
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    t = np.arange(LENGTH) - LENGTH / 2
    rr = rng.normal(1.0, 0.05, (n, 8))
    if informative == "shape":
        width = np.where(y == 1, 12.0, 3.0)[:, None]
        x = np.exp(-0.5 * (t / width) ** 2) + rng.normal(0, 0.05, (n, LENGTH))
    else:
        x = np.tile(np.exp(-0.5 * (t / 5.0) ** 2), (n, 1))
        pre = [RR_FEATURE_NAMES.index(f) for f in PREMATURITY_FEATURES]
        rr[:, pre] = np.where(y == 1, 0.6, 1.0)[:, None] + rng.normal(0, 0.05, (n, len(pre)))
    # z-score each beat, as the preprocessing does, so activations have unit scale.
    x = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
    return (
        torch.tensor(x[:, None, :], dtype=torch.float32),
        torch.tensor(rr, dtype=torch.float32),
        torch.tensor(y),
    )


def train_and_score(model: torch.nn.Module, informative: str) -> tuple[float, float, float]:
    """Fit on 64 beats for 30 full-batch steps; return first loss, last loss, test accuracy."""
    torch.manual_seed(0)
    x, rr, y = synthetic_beats(64, seed=1, informative=informative)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    model.train()
    for _ in range(30):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x, rr), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    x_test, rr_test, y_test = synthetic_beats(200, seed=2, informative=informative)
    model.eval()
    with torch.no_grad():
        accuracy = (model(x_test, rr_test).argmax(1) == y_test).float().mean().item()
    return losses[0], losses[-1], accuracy


def test_beatfusion_learns_beat_shape():
    torch.manual_seed(0)
    model = create_model("beatfusion", num_classes=2, input_length=LENGTH, num_rr_features=8)
    first, last, accuracy = train_and_score(model, "shape")
    assert last < first / 2
    assert accuracy >= 0.95


@pytest.mark.parametrize("name", ["beatfusion", "beatfusion_tiny"])
def test_beatfusion_separates_identical_waveforms_by_rr_features(name):
    torch.manual_seed(0)
    model = create_model(name, num_classes=2, input_length=LENGTH, num_rr_features=8)
    first, last, accuracy = train_and_score(model, "rr")
    assert last < first / 2
    assert accuracy >= 0.95


def test_beatfusion_tiny_is_a_narrow_beatfusion():
    tiny = create_model("beatfusion_tiny", num_rr_features=8)
    full = create_model("beatfusion", num_rr_features=8)
    assert isinstance(tiny, BeatFusion)
    assert (
        sum(p.numel() for p in tiny.parameters()) < sum(p.numel() for p in full.parameters()) / 10
    )


def test_channels_must_give_five_widths():
    with pytest.raises(ValueError, match="5 positive widths"):
        BeatFusion(num_rr_features=8, channels=(16, 32, 64))


def test_rr_inputs_reads_only_the_named_features():
    torch.manual_seed(0)
    n_rr = len(RR_FEATURE_NAMES)
    model = create_model("beatfusion", num_rr_features=n_rr, rr_inputs=RELATIVE_RR_FEATURES)
    model.eval()
    assert model.rr_branch[0].num_features == len(RELATIVE_RR_FEATURES)
    x, rr = torch.randn(3, 1, LENGTH), torch.rand(3, n_rr)
    absolute = [i for i, n in enumerate(RR_FEATURE_NAMES) if n.endswith("_s")]  # seconds
    changed = rr.clone()
    changed[:, absolute] = 100.0
    with torch.no_grad():
        assert torch.equal(model(x, rr), model(x, changed))
        changed[:, RR_FEATURE_NAMES.index(RELATIVE_RR_FEATURES[0])] += 1.0
        assert not torch.equal(model(x, rr), model(x, changed))


def test_rr_inputs_keeps_checkpoints_of_full_rr_models_loadable():
    # The column index is not part of the state dict, so weights saved by a model that
    # reads every column load into a newly built one.
    full = create_model("beatfusion", num_rr_features=8)
    assert "rr_columns" not in full.state_dict()
    create_model("beatfusion", num_rr_features=8).load_state_dict(full.state_dict())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rr_inputs": ("pre_over_local", "heart_rate")}, "distinct features"),
        ({"rr_inputs": ("pre_over_local", "pre_over_local")}, "distinct features"),
        ({"rr_inputs": "pre_over_local"}, "non-empty sequence"),
        ({"rr_inputs": ()}, "non-empty sequence"),
        ({"rr_inputs": RELATIVE_RR_FEATURES, "num_rr_features": 99}, "rr_inputs=None"),
        # a model of the first 8 columns cannot read a feature appended after them
        ({"rr_inputs": ("pre_over_local", "irregularity")}, "first num_rr_features=8"),
    ],
)
def test_rr_inputs_rejects_bad_names(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BeatFusion(**{"num_rr_features": 8, **kwargs})


def test_rr_inputs_of_a_model_built_for_the_first_eight_features_keep_their_columns():
    # Models of releases with 8 RR features: the same names sit at the same positions.
    names = ("pre_over_local", "pre_over_post")
    old = create_model("beatfusion", num_rr_features=8, rr_inputs=names)
    new = create_model("beatfusion", num_rr_features=len(RR_FEATURE_NAMES), rr_inputs=names)
    assert old.rr_columns.tolist() == new.rr_columns.tolist() == [4, 7]


def expert_model(**kwargs) -> BeatFusion:
    return create_model(
        "beatfusion",
        num_classes=3,
        input_length=LENGTH,
        num_rr_features=len(RR_FEATURE_NAMES),
        rr_inputs=RELATIVE_RR_FEATURES,
        expert_inputs=MAJORITY_FREE_RR_FEATURES,
        **kwargs,
    )


def test_an_rr_expert_returns_both_heads_in_training_and_their_geometric_mean_otherwise():
    torch.manual_seed(0)
    model = expert_model(expert_weight=0.75)
    x, rr = torch.randn(5, 1, LENGTH), torch.rand(5, len(RR_FEATURE_NAMES)) + 0.5
    network, expert = model(x, rr)
    assert network.shape == expert.shape == (5, 3)
    model.eval()
    with torch.no_grad():
        fused = model(x, rr)
        network, expert = eval_heads(model, x, rr)
    expected = 0.25 * network.log_softmax(1) + 0.75 * expert.log_softmax(1)
    torch.testing.assert_close(fused, expected)


def eval_heads(model: BeatFusion, x: torch.Tensor, rr: torch.Tensor):
    """Both heads' logits as evaluation mode computes them (no dropout, running BN
    statistics)."""
    maps = model.morphology(x)
    shape = torch.cat([model.avg_pool(maps), model.max_pool(maps)], 1).flatten(1)
    timing = model.rr_branch(rr.index_select(1, model.rr_columns))
    network = model.classifier(torch.cat([shape, timing], 1))
    return network, model.rr_expert(rr.index_select(1, model.expert_columns).log())


def test_classes_the_expert_does_not_vote_on_take_the_networks_log_probability():
    torch.manual_seed(0)
    model = expert_model(expert_classes=[0, 2]).eval()
    assert model.model_config["expert_classes"] == [0, 2]
    x, rr = torch.randn(5, 1, LENGTH), torch.rand(5, len(RR_FEATURE_NAMES)) + 0.5
    with torch.no_grad():
        fused = model(x, rr)
        network, expert = (head.log_softmax(1) for head in eval_heads(model, x, rr))
    torch.testing.assert_close(fused[:, [0, 2]], (0.25 * network + 0.75 * expert)[:, [0, 2]])
    torch.testing.assert_close(fused[:, 1], network[:, 1])


def test_the_rr_expert_reads_only_its_features():
    torch.manual_seed(0)
    model = expert_model().eval()
    rr = torch.rand(4, len(RR_FEATURE_NAMES)) + 0.5
    changed = rr.clone()
    percentile_ratios = [i for i, n in enumerate(RR_FEATURE_NAMES) if n.endswith("_p90")]
    changed[:, percentile_ratios] *= 2.0
    with torch.no_grad():
        expert = model.rr_expert(rr.index_select(1, model.expert_columns).log())
        assert not torch.equal(expert, model.rr_expert(changed[:, model.expert_columns].log()))
        unused = [i for i in range(len(RR_FEATURE_NAMES)) if i not in model.expert_columns]
        moved = rr.clone()
        moved[:, unused] = 7.0
        torch.testing.assert_close(
            expert, model.rr_expert(moved.index_select(1, model.expert_columns).log())
        )


def test_a_model_with_an_rr_expert_is_rebuilt_from_its_config():
    model = expert_model(expert_weight=0.6)
    rebuilt = create_model(**model.model_config)
    rebuilt.load_state_dict(model.state_dict())
    assert rebuilt.expert_weight == 0.6
    assert rebuilt.expert_columns.tolist() == model.expert_columns.tolist()


def test_a_fibrillation_merge_moves_the_source_class_to_the_target_in_disorganised_rhythm():
    torch.manual_seed(0)
    plain = expert_model().eval()
    merging = expert_model(fibrillation_merge=(1, 0), fibrillation_threshold=0.4).eval()
    merging.load_state_dict(plain.state_dict())
    x, rr = torch.randn(6, 1, LENGTH), torch.rand(6, len(RR_FEATURE_NAMES)) + 0.5
    organisation = RR_FEATURE_NAMES.index("organisation")
    rr[:3, organisation] = torch.tensor([0.1, 0.2, 0.39])
    with torch.no_grad():
        before, after = plain(x, rr), merging(x, rr)
    torch.testing.assert_close(after[3:], before[3:])
    torch.testing.assert_close(after[:3, 0].exp(), before[:3, :2].exp().sum(1))
    torch.testing.assert_close(after[:3, 1], before[:3, 1] + np.log(1e-6))
    torch.testing.assert_close(after[:3, 2], before[:3, 2])
    # Training learns the labels as they are: both heads' logits, no merge.
    network, expert = merging.train()(x, rr)
    assert network.shape == expert.shape == (6, 3)


def test_a_fibrillation_merge_without_an_expert_returns_log_probabilities():
    torch.manual_seed(0)
    model = create_model(
        "beatfusion",
        num_classes=3,
        input_length=LENGTH,
        num_rr_features=len(RR_FEATURE_NAMES),
        fibrillation_merge=[1, 0],  # as a checkpoint's JSON gives it back
    ).eval()
    rr = torch.rand(4, len(RR_FEATURE_NAMES)) + 0.5  # organised: nothing moves
    with torch.no_grad():
        scores = model(torch.randn(4, 1, LENGTH), rr)
    torch.testing.assert_close(scores.exp().sum(1), torch.ones(4))
    assert create_model(**model.model_config).fibrillation_merge == (1, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fibrillation_merge": (1, 1)}, "two distinct class indices"),
        ({"fibrillation_merge": (1, 3)}, "two distinct class indices"),
        ({"fibrillation_merge": ("S", "N")}, "two distinct class indices"),
        ({"fibrillation_merge": (1,)}, "two distinct class indices"),
        ({"fibrillation_merge": (1, 0), "fibrillation_threshold": 0}, "in \\(0, 1\\]"),
        ({"fibrillation_merge": (1, 0), "fibrillation_threshold": 1.5}, "in \\(0, 1\\]"),
        ({"fibrillation_merge": (1, 0), "num_rr_features": 20}, "num_rr_features=21"),
    ],
)
def test_bad_fibrillation_merges_are_refused(kwargs, message):
    settings = {"num_classes": 3, "num_rr_features": len(RR_FEATURE_NAMES), **kwargs}
    with pytest.raises(ValueError, match=message):
        BeatFusion(**settings)


def test_min_probability_calls_a_class_only_where_it_is_likely():
    torch.manual_seed(0)
    plain = expert_model().eval()
    strict = expert_model(min_probability=[2, 0.9]).eval()  # a list, as from JSON
    strict.load_state_dict(plain.state_dict())
    assert create_model(**strict.model_config).min_probability == (2, 0.9)
    x, rr = torch.randn(8, 1, LENGTH), torch.rand(8, len(RR_FEATURE_NAMES)) + 0.5
    for bias in (0.0, 40.0):  # class 2 unlikely, then certain, in the fused network
        with torch.no_grad():
            plain.classifier[-1].bias[2] = strict.classifier[-1].bias[2] = bias
            before, after = plain(x, rr).softmax(1), strict(x, rr).softmax(1)
        likely = before[:, 2] >= 0.9
        assert likely.all() if bias else not likely.any()
        torch.testing.assert_close(after[likely], before[likely])
        others = before[~likely][:, :2]
        torch.testing.assert_close(after[~likely][:, :2], others / others.sum(1, keepdim=True))
        assert (after[~likely][:, 2] < 1e-5).all()


@pytest.mark.parametrize(
    "value", [(3, 0.9), (2, 1.0), (2, 0.0), (2,), ("F", 0.9), (True, 0.9), 0.9]
)
def test_bad_min_probabilities_are_refused(value):
    with pytest.raises(ValueError, match="min_probability must be"):
        BeatFusion(num_classes=3, num_rr_features=8, min_probability=value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"expert_weight": 1.0}, "expert_weight must be in"),
        ({"expert_weight": 0.0}, "expert_weight must be in"),
        ({"expert_weight": "0.75"}, "expert_weight must be in"),
        ({"expert_inputs": ("pre_over_post", "heart_rate")}, "distinct features"),
        ({"expert_classes": []}, "expert_classes must list"),
        ({"expert_classes": [0, 0]}, "expert_classes must list"),
        ({"expert_classes": [5]}, "expert_classes must list"),
        ({"expert_classes": ["N"]}, "expert_classes must list"),
    ],
)
def test_bad_rr_expert_settings_are_refused(kwargs, message):
    settings = {"expert_inputs": MAJORITY_FREE_RR_FEATURES, **kwargs}
    with pytest.raises(ValueError, match=message):
        BeatFusion(num_rr_features=len(RR_FEATURE_NAMES), **settings)
