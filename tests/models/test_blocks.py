import pytest
import torch
from torch import nn

from ecgbeat.models.blocks import FastDropout, FastMaxPool1d


@pytest.mark.parametrize("kernel", [2, 4])
@pytest.mark.parametrize("length", [64, 65, 67])
def test_fast_max_pool_matches_pytorch_in_values_and_gradients(kernel, length):
    # After a ReLU many values tie at zero: the gradient must still go where PyTorch sends it.
    x = torch.relu(torch.randn(3, 4, length, generator=torch.Generator().manual_seed(0)))
    ours, theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out, expected = FastMaxPool1d(kernel)(ours), nn.MaxPool1d(kernel)(theirs)
    grad = torch.randn_like(out)
    out.backward(grad)
    expected.backward(grad)
    assert torch.equal(out, expected)
    assert torch.equal(ours.grad, theirs.grad)


def test_fast_dropout_drops_at_rate_p_and_keeps_the_mean():
    torch.manual_seed(0)
    out = FastDropout(0.2)(torch.ones(200_000))
    assert set(out.unique().tolist()) == {0.0, 1.25}
    assert abs(float((out == 0).float().mean()) - 0.2) < 0.005
    assert abs(float(out.mean()) - 1.0) < 0.01


def test_fast_dropout_gradient_follows_its_mask():
    x = torch.randn(1000, requires_grad=True)
    out = FastDropout(0.5)(x)
    out.sum().backward()
    assert torch.equal(x.grad, (out != 0).float() * 2.0)


def test_fast_dropout_is_the_identity_in_eval_mode_and_reproducible_by_seed():
    drop = FastDropout(0.3)
    x = torch.randn(4, 8, 16)
    assert torch.equal(drop.eval()(x), x)
    drop.train()
    torch.manual_seed(1)
    first = drop(x)
    torch.manual_seed(1)
    assert torch.equal(drop(x), first)


def test_fast_dropout_keeps_the_input_dtype():
    x = torch.ones(64, dtype=torch.bfloat16)
    assert FastDropout(0.5)(x).dtype == torch.bfloat16
