"""Layer blocks shared by the zoo: convolution block, residual block, classifier head.

Each architecture is assembled from these few blocks so that a change of, say, the
convolution padding applies to every model at once.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["FastDropout", "FastMaxPool1d", "ResidualBlock", "classifier_head", "conv_block"]


class FastMaxPool1d(nn.MaxPool1d):
    """Non-overlapping max pooling (stride = kernel), as a max over a reshaped view.

    The same values and gradients as ``nn.MaxPool1d(kernel_size)``: the tail that does not
    fill a window is dropped. PyTorch runs 1-D pooling through its 2-D kernel, which on
    CPU was the most expensive op of a training step of the convolutional models (a
    quarter of a bfloat16 ``skipcnn`` step); the reshape and ``max`` take about half as
    long.

    Examples
    --------
    >>> import torch
    >>> FastMaxPool1d(2)(torch.tensor([[[1.0, 3.0, 2.0, 0.0, 5.0]]]))
    tensor([[[3., 2.]]])
    """

    def __init__(self, kernel_size: int) -> None:
        super().__init__(kernel_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pool ``x`` of shape ``(batch, channels, n_samples)`` along its last axis."""
        k = self.kernel_size
        n = x.shape[-1] // k
        if n * k != x.shape[-1]:
            # Only when needed: the backward pass of a slice copies the whole gradient.
            x = x[..., : n * k]
        # max with a dim keeps the arg-max for the backward pass (amax would split the
        # gradient between tied values, as pooling does not).
        return x.unflatten(-1, (n, k)).max(-1).values


class FastDropout(nn.Dropout):
    """``nn.Dropout`` whose training mask on CPU comes from ``torch.rand``.

    PyTorch's CPU dropout draws its mask with a scalar Bernoulli sampler, which took a
    fifth of a bfloat16 ``skipcnn`` training step; comparing vectorised uniform draws
    with ``p`` gives the same distribution in half the time. Other devices keep
    PyTorch's fused kernel; evaluation is the identity, as always.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> out = FastDropout(0.5)(torch.ones(10_000))
    >>> sorted(out.unique().tolist()), round(float((out > 0).float().mean()), 1)
    ([0.0, 2.0], 0.5)
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
        if not self.training or self.p == 0 or x.device.type != "cpu":
            return super().forward(x)
        keep = torch.rand(x.shape, device=x.device) >= self.p
        return x * (keep * (1.0 / (1.0 - self.p))).to(x.dtype)


def conv_block(
    in_channels: int,
    out_channels: int,
    *,
    kernel_size: int,
    pool: int = 1,
    dropout: float = 0.0,
    dilation: int = 1,
) -> nn.Sequential:
    """Conv1d ("same" padding) -> BatchNorm1d -> ReLU (-> MaxPool1d) (-> Dropout).

    The pooling and dropout are :class:`FastMaxPool1d` and :class:`FastDropout`, which
    compute the same as PyTorch's layers, faster on CPU.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels before and after the convolution.
    kernel_size : int
        Convolution kernel size in samples.
    pool : int
        Max-pooling factor; 1 keeps the length (no pooling layer is added).
    dropout : float
        Dropout probability; 0 adds no dropout layer.
    dilation : int
        Convolution dilation.

    Returns
    -------
    nn.Sequential
        The block; the length becomes ``n_samples // pool``.

    Examples
    --------
    >>> import torch
    >>> block = conv_block(1, 8, kernel_size=5, pool=2, dropout=0.2)
    >>> block(torch.zeros(3, 1, 187)).shape
    torch.Size([3, 8, 93])
    """
    if pool < 1:
        raise ValueError(f"pool must be a pooling factor >= 1 (1 = no pooling), got {pool}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout}")
    # The bias is redundant: BatchNorm subtracts the channel mean right after.
    layers: list[nn.Module] = [
        nn.Conv1d(
            in_channels,
            out_channels,
            kernel_size,
            padding="same",
            dilation=dilation,
            bias=False,
        ),
        nn.BatchNorm1d(out_channels),
        nn.ReLU(),
    ]
    if pool > 1:
        layers.append(FastMaxPool1d(pool))
    if dropout > 0:
        layers.append(FastDropout(dropout))
    return nn.Sequential(*layers)


def classifier_head(
    in_features: int, num_classes: int, *, hidden: tuple[int, ...] = (), dropout: float = 0.0
) -> nn.Sequential:
    """Fully connected classifier: [Linear -> ReLU]* -> Dropout -> Linear to the logits.

    The dropout layer is always present (with ``p = dropout``), so that every model of the
    zoo can be used for MC-dropout uncertainty by raising ``dropout``.

    Parameters
    ----------
    in_features : int
        Width of the feature vector.
    num_classes : int
        Number of logits.
    hidden : tuple of int
        Widths of the hidden layers, each followed by a ReLU.
    dropout : float
        Dropout probability before the last layer.

    Returns
    -------
    nn.Sequential
        Maps ``(batch, in_features)`` to logits ``(batch, num_classes)``.

    Examples
    --------
    >>> import torch
    >>> head = classifier_head(256, 5, hidden=(128,), dropout=0.3)
    >>> head(torch.zeros(4, 256)).shape
    torch.Size([4, 5])
    """
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be a probability in [0, 1), got {dropout}")
    layers: list[nn.Module] = []
    width = in_features
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU()]
        width = size
    layers += [nn.Dropout(dropout), nn.Linear(width, num_classes)]
    return nn.Sequential(*layers)


class ResidualBlock(nn.Module):
    """Two convolutions with a shortcut: conv -> [BN] -> ReLU -> conv -> [BN] -> add -> ReLU.

    An optional max pooling of stride 2 follows the addition (Kachuee et al. 2018 style).
    When the channel count changes the shortcut is a 1x1 convolution.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels before and after the block.
    kernel_size : int
        Kernel size of both convolutions ("same" padding).
    dilation : int
        Dilation of both convolutions (widens the receptive field at no cost).
    batch_norm : bool
        Add BatchNorm1d after each convolution (Kachuee et al. 2018 use none).
    pool_kernel : int
        Odd kernel size of the stride-2 max pooling after the block; 0 for no pooling.
        With padding ``pool_kernel // 2`` the length becomes ``ceil(n_samples / 2)``, so
        any beat length works.

    Examples
    --------
    >>> import torch
    >>> block = ResidualBlock(32, 32, kernel_size=5, batch_norm=False, pool_kernel=5)
    >>> block(torch.zeros(2, 32, 187)).shape
    torch.Size([2, 32, 94])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        kernel_size: int = 5,
        dilation: int = 1,
        batch_norm: bool = True,
        pool_kernel: int = 0,
    ) -> None:
        super().__init__()
        if pool_kernel and pool_kernel % 2 == 0:
            raise ValueError(f"pool_kernel must be odd (or 0 for no pooling), got {pool_kernel}")

        def norm(channels: int) -> nn.Module:
            return nn.BatchNorm1d(channels) if batch_norm else nn.Identity()

        # The shortcut is registered before the convolutions: the last Conv1d of the
        # block in module order is then `conv2`, the one Grad-CAM should hook.
        self.shortcut = (
            nn.Identity()
            if in_channels == out_channels
            else nn.Sequential(nn.Conv1d(in_channels, out_channels, 1), norm(out_channels))
        )
        self.conv1 = nn.Conv1d(
            in_channels,
            out_channels,
            kernel_size,
            padding="same",
            dilation=dilation,
            bias=not batch_norm,
        )
        self.norm1 = norm(out_channels)
        self.conv2 = nn.Conv1d(
            out_channels,
            out_channels,
            kernel_size,
            padding="same",
            dilation=dilation,
            bias=not batch_norm,
        )
        self.norm2 = norm(out_channels)
        self.relu = nn.ReLU()
        self.pool = (
            nn.MaxPool1d(pool_kernel, stride=2, padding=pool_kernel // 2)
            if pool_kernel
            else nn.Identity()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block to ``x`` of shape ``(batch, in_channels, n_samples)``."""
        out = self.relu(self.norm1(self.conv1(x)))
        out = self.norm2(self.conv2(out))
        return self.pool(self.relu(out + self.shortcut(x)))
