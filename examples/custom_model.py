"""Register a model of your own and train it by name, like any model of the zoo.

A model builder is a function that takes the beat contract as keywords (``num_classes``,
``in_channels``, ``input_length``, ``num_rr_features``) and returns an ``nn.Module`` mapping
beats of shape (batch, in_channels, input_length) to logits (batch, num_classes)::

    python examples/custom_model.py            # embedded excerpt, a minute
    python examples/custom_model.py --smoke    # one epoch
"""

from __future__ import annotations

import argparse

import torch
from torch import nn

import ecgbeat
from ecgbeat.models import register_model


@register_model
def tiny_cnn(
    *,
    num_classes: int = 5,
    in_channels: int = 1,
    input_length: int = 252,
    num_rr_features: int = 0,
    width: int = 16,
) -> nn.Module:
    """Two convolutions, global average pooling, one linear layer (about 2k parameters).

    ``input_length`` and ``num_rr_features`` are part of the builder contract; this model
    needs neither because global pooling makes it length-agnostic and it reads no RR features.
    """
    return nn.Sequential(
        nn.Conv1d(in_channels, width, kernel_size=7, padding=3),
        nn.BatchNorm1d(width),
        nn.ReLU(),
        nn.MaxPool1d(2),
        nn.Conv1d(width, width, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.AdaptiveAvgPool1d(1),
        nn.Flatten(),
        nn.Linear(width, num_classes),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default="runs/custom", help="run folder (must be new)")
    parser.add_argument("--smoke", action="store_true", help="one epoch")
    args = parser.parse_args()

    print("registered:", "tiny_cnn" in ecgbeat.list_models())
    net = ecgbeat.create_model("tiny_cnn", num_classes=5, width=8)
    print(net(torch.zeros(2, 1, 252)).shape)  # (2, 5): the contract holds

    # Options for the builder go in model_kwargs; the checkpoint records them, so
    # ecgbeat.load() rebuilds the model by name (in a process that registered it).
    result = ecgbeat.train(
        "sample",
        protocol="intra-patient",
        model="tiny_cnn",
        model_kwargs={"width": 32},
        epochs=1 if args.smoke else 10,
        out_dir=args.out_dir,
        progress=False,
        n_bootstrap=0,
    )
    print(result.report.headline())
    clf = ecgbeat.load(result.checkpoint)
    print(f"reloaded {type(clf.model).__name__} with classes {clf.classes}")


if __name__ == "__main__":
    main()
