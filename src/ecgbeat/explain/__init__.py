"""Explanations of model decisions: 1-D Grad-CAM over beat waveforms."""

from __future__ import annotations

from ecgbeat.explain.gradcam import grad_cam, last_conv_layer

__all__ = ["grad_cam", "last_conv_layer"]
