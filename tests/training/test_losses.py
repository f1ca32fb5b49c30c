"""Class weights and focal loss."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ecgbeat.training.losses import FocalLoss, class_weights, make_loss


def test_class_weights_are_inverse_frequency_and_zero_for_absent_classes():
    w = class_weights(np.array([0, 0, 0, 1]), num_classes=3)
    assert w[1] / w[0] == pytest.approx(3.0)
    assert w[2] == 0


def test_class_weights_reject_labels_beyond_num_classes():
    with pytest.raises(ValueError, match="num_classes=2"):
        class_weights(np.array([0, 1, 2]), num_classes=2)


def test_focal_loss_with_gamma_zero_is_cross_entropy():
    logits, target = torch.randn(16, 5), torch.randint(0, 5, (16,))
    weight = torch.rand(5)
    expected = (F.cross_entropy(logits, target, reduction="none") * weight[target]).mean()
    assert FocalLoss(gamma=0.0, weight=weight)(logits, target) == pytest.approx(float(expected))


def test_focal_loss_down_weights_easy_beats():
    easy = torch.tensor([[8.0, 0.0]])
    ratio = FocalLoss(gamma=2.0)(easy, torch.tensor([0])) / F.cross_entropy(easy, torch.tensor([0]))
    assert ratio < 1e-3


def test_unknown_loss_names_the_choices():
    with pytest.raises(ValueError, match="cross-entropy"):
        make_loss("hinge")
