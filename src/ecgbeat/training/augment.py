"""On-device beat augmentation: Gaussian noise, baseline drift, amplitude scaling, time shift
and time stretch."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch

__all__ = ["Augmentation"]


@dataclass(frozen=True)
class Augmentation:
    """Random perturbations applied to each training batch where it lives (CPU or GPU).

    Noise and drift amplitudes are relative to each beat's own standard deviation, so the
    same settings suit raw millivolts, z-scored and min-max normalised beats.

    Parameters
    ----------
    noise_std : float
        Standard deviation of additive Gaussian noise, in units of the beat's std.
    drift_std : float
        Amplitude of an additive low-frequency sinusoid (baseline wander), in units of
        the beat's std.
    drift_hz : tuple of float
        Range of the drift frequency in Hz (respiration and movement: well below 1 Hz).
    scale : float
        Amplitude scaling factor drawn from ``[1 - scale, 1 + scale]``.
    shift_s : float
        Largest time shift in seconds; the beat is moved by a whole number of samples
        and the gap is filled with its edge value (no wrap-around).
    stretch : float
        Time stretch factor drawn from ``[1 - stretch, 1 + stretch]`` (above 1 widens the
        beat), about the window's centre with linear interpolation; 0 leaves time alone.
        Patients' beats differ in width as well as in amplitude. The centre is the R peak
        of a window cut symmetrically around it (the inter-patient recipe); elsewhere the
        R peak moves by at most ``stretch`` times its distance from the centre.
    probability : float
        Chance that a beat is augmented at all; the others pass unchanged.

    Examples
    --------
    >>> import torch
    >>> aug = Augmentation(shift_s=0.02)
    >>> x = torch.randn(8, 2, 100)
    >>> out = aug(x, fs=360.0, generator=torch.Generator().manual_seed(0))
    >>> out.shape == x.shape, out.dtype == x.dtype, bool((out != x).any())
    (True, True, True)
    """

    noise_std: float = 0.05
    drift_std: float = 0.1
    drift_hz: tuple[float, float] = (0.05, 0.5)
    scale: float = 0.1
    shift_s: float = 0.01
    stretch: float = 0.0
    probability: float = 0.5

    def __post_init__(self) -> None:
        for name in ("noise_std", "drift_std", "scale", "shift_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        for name, what in (("scale", "amplitudes"), ("stretch", "durations")):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(
                    f"{name} must lie in [0, 1) so {what} stay positive, got {getattr(self, name)}"
                )
        if not 0 <= self.probability <= 1:
            raise ValueError(f"probability must lie in [0, 1], got {self.probability}")
        lo, hi = self.drift_hz
        if not 0 <= lo <= hi:
            raise ValueError(
                f"drift_hz must be a range (low, high) with 0 <= low <= high, got {self.drift_hz}"
            )

    def to_dict(self) -> dict:
        """JSON-safe form, stored with the training configuration."""
        return {**asdict(self), "drift_hz": list(self.drift_hz)}

    def __call__(self, x: torch.Tensor, *, fs: float, generator: torch.Generator) -> torch.Tensor:
        """Augment a batch of shape (n_beats, n_leads, n_samples) on its own device.

        ``generator`` must live on the batch's device; it makes the draws reproducible.
        """
        if x.ndim != 3:
            raise ValueError(
                f"augmentation expects (n_beats, n_leads, n_samples), got {tuple(x.shape)}"
            )
        n, leads, length = x.shape

        def uniform(lo: float, hi: float, *shape: int) -> torch.Tensor:
            u = torch.rand(*shape, generator=generator, device=x.device, dtype=x.dtype)
            return lo + (hi - lo) * u

        std = x.std(dim=(1, 2), keepdim=True).clamp_min(1e-6)
        out = x * uniform(1 - self.scale, 1 + self.scale, n, 1, 1)
        noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        out = out + self.noise_std * std * noise
        t = torch.arange(length, device=x.device, dtype=x.dtype) / fs
        freq = uniform(*self.drift_hz, n, 1, 1)
        phase = uniform(0.0, 2 * math.pi, n, 1, 1)
        out = out + self.drift_std * std * torch.sin(2 * math.pi * freq * t + phase)
        max_shift = round(self.shift_s * fs)
        if max_shift > 0 or self.stretch > 0:
            # Each output sample reads the beat at a source position, scaled about the
            # window's centre by the stretch and moved by a whole-sample shift; positions
            # outside the window read its edge value (no wrap-around). Positions are float32
            # whatever the beats' dtype: half precision cannot count past 2048 samples.
            position = torch.arange(length, device=x.device, dtype=torch.float32).expand(n, -1)
            if self.stretch > 0:
                centre = (length - 1) / 2
                factor = uniform(1 - self.stretch, 1 + self.stretch, n, 1).float()
                position = centre + (position - centre) / factor
            if max_shift > 0:
                shift = torch.randint(
                    -max_shift, max_shift + 1, (n, 1), generator=generator, device=x.device
                )
                position = position - shift
            position = position.clamp(0, length - 1)
            low = position.floor()
            source = out

            def read(index: torch.Tensor) -> torch.Tensor:
                return source.gather(2, index.long().unsqueeze(1).expand(-1, leads, -1))

            out = read(low)
            if self.stretch > 0:
                # Only a stretch falls between samples; whole-sample shifts read them exactly.
                weight = (position - low).unsqueeze(1).to(x.dtype)
                out = torch.lerp(out, read((low + 1).clamp(max=length - 1)), weight)
        keep = uniform(0.0, 1.0, n, 1, 1) >= self.probability
        return torch.where(keep, x, out)
