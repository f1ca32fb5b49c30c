"""The training loop (ecgbeat.training.trainer): which beats each epoch trains on, the moving
average of the weights, training without validation beats, and the progress bar."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from ecgbeat.beats import BeatSet
from ecgbeat.training import TrainerConfig, fit
from ecgbeat.training.checkpoint import load_checkpoint


class _Recorder(nn.Module):
    """A linear classifier that notes, for each training batch, which beats it is given
    (their index sits in x[:, 0, 0]) and its weights at that moment."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.linear = nn.Linear(1, num_classes)
        self.seen: list[np.ndarray] = []
        self.weights: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.seen.append(x[:, 0, 0].round().long().numpy())
            self.weights.append(self.linear.weight.detach().clone())
        return self.linear(x.mean(dim=(1, 2))[:, None])


def _indexed(beats: BeatSet) -> BeatSet:
    X = np.zeros_like(beats.X)
    X[:, 0, 0] = np.arange(len(beats))
    return BeatSet(**{**beats.__dict__, "X": X})


def test_majority_fraction_redraws_the_majority_and_keeps_every_rare_beat(small_beats):
    beats = _indexed(small_beats)
    majority = np.bincount(beats.y).argmax()
    n_majority = int((beats.y == majority).sum())
    n_kept = round(0.25 * n_majority)
    epoch_size = len(beats) - n_majority + n_kept
    model = _Recorder(beats.num_classes)
    fit(
        model,
        beats,
        beats,
        # One step per epoch, so no ragged tail is dropped and each epoch is one record.
        config=TrainerConfig(epochs=3, batch_size=epoch_size, majority_fraction=0.25, amp=False),
        criterion=nn.CrossEntropyLoss(),
        device=torch.device("cpu"),
        progress=False,
    )
    kept = []
    for seen in model.seen:
        assert len(seen) == len(np.unique(seen)) == epoch_size
        is_majority = beats.y[seen] == majority
        assert is_majority.sum() == n_kept
        np.testing.assert_array_equal(
            np.sort(seen[~is_majority]), np.flatnonzero(beats.y != majority)
        )
        kept.append(set(seen[is_majority]))
    assert kept[0] != kept[1] != kept[2]


@pytest.mark.parametrize("fraction", [0, -0.5, 1.5, float("nan"), "half", True])
def test_majority_fraction_outside_zero_to_one_is_refused(fraction):
    with pytest.raises(ValueError, match="majority_fraction must be in"):
        TrainerConfig(majority_fraction=fraction)


def test_majority_fraction_and_sample_weights_together_are_refused(small_beats):
    with pytest.raises(ValueError, match="use one of them"):
        fit(
            _Recorder(small_beats.num_classes),
            small_beats,
            small_beats,
            config=TrainerConfig(epochs=1, majority_fraction=0.5),
            criterion=nn.CrossEntropyLoss(),
            device=torch.device("cpu"),
            sample_weights=torch.ones(len(small_beats)),
            progress=False,
        )


def test_ema_keeps_the_moving_average_of_every_step(small_beats, tmp_path):
    model = _Recorder(small_beats.num_classes)
    decay = 0.6
    fit(
        model,
        small_beats,
        small_beats,
        config=TrainerConfig(
            epochs=1, batch_size=len(small_beats) // 4, ema_decay=decay, amp=False
        ),
        criterion=nn.CrossEntropyLoss(),
        device=torch.device("cpu"),
        run_dir=tmp_path,
        progress=False,
    )
    # Each forward pass sees the weights of the step before; the raw weights after the
    # last step are in last.pt.
    raw = load_checkpoint(tmp_path / "last.pt")["model_state"]["linear.weight"]
    steps = [*model.weights[1:], raw]
    assert len(steps) == 4
    expected = steps[0]
    for weights in steps[1:]:
        expected = decay * expected + (1 - decay) * weights
    torch.testing.assert_close(model.linear.weight, expected)
    best = load_checkpoint(tmp_path / "best.pt")["model_state"]["linear.weight"]
    torch.testing.assert_close(best, expected)
    assert not torch.allclose(raw, expected)


@pytest.mark.parametrize("decay", [0, 1, -0.1, 1.5, float("nan"), "0.9", True])
def test_ema_decay_outside_zero_to_one_is_refused(decay):
    with pytest.raises(ValueError, match="ema_decay must be in"):
        TrainerConfig(ema_decay=decay)


def test_fit_without_validation_beats_runs_every_epoch_and_keeps_the_last(small_beats, tmp_path):
    model = _Recorder(small_beats.num_classes)
    result = fit(
        model,
        small_beats,
        small_beats[:0],
        config=TrainerConfig(epochs=2, patience=None, amp=False),
        criterion=nn.CrossEntropyLoss(),
        device=torch.device("cpu"),
        run_dir=tmp_path,
        progress=False,
    )
    assert result.best_epoch == 2 and np.isnan(result.best_val_macro_f1)
    assert [sorted(h) for h in result.history] == [["epoch", "lr", "time_s", "train_loss"]] * 2
    last = load_checkpoint(tmp_path / "last.pt")["model_state"]["linear.weight"]
    torch.testing.assert_close(model.linear.weight, last)


def test_fit_refuses_early_stopping_without_validation_beats(small_beats):
    with pytest.raises(ValueError, match="needs validation beats"):
        fit(
            _Recorder(small_beats.num_classes),
            small_beats,
            small_beats[:0],
            config=TrainerConfig(epochs=2, patience=1),
            criterion=nn.CrossEntropyLoss(),
            device=torch.device("cpu"),
            progress=False,
        )


@pytest.mark.parametrize(("n_val", "shown"), [(0, False), (50, True)])
def test_the_progress_bar_shows_a_validation_f1_only_with_validation_beats(
    small_beats, capsys, n_val, shown
):
    fit(
        _Recorder(small_beats.num_classes),
        small_beats,
        small_beats[:n_val],
        config=TrainerConfig(epochs=1, patience=None, amp=False),
        criterion=nn.CrossEntropyLoss(),
        device=torch.device("cpu"),
        progress=True,
    )
    bar = capsys.readouterr().err
    assert "loss=" in bar
    assert ("val_f1=" in bar) is shown
