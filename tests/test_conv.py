"""Convolutional autoencoder (Lee & Jo 2022 Fig. 3): sizes, layouts and outputs against exact answers."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from deepinfo.models.conv import ConvAutoencoder, conv_out_size, transpose_output_padding
from deepinfo.models.feedforward import SupervisedTraining, train_autoencoder


@pytest.mark.parametrize("n", [1, 2, 3, 7, 14, 28, 32, 33])
def test_conv_out_size_is_ceil_half(n):
    # kernel 3, stride 2, padding 1: floor((n + 2 - 3) / 2) + 1 = ceil(n / 2)
    assert conv_out_size(n) == math.ceil(n / 2)


@pytest.mark.parametrize("n_out", [2, 3, 7, 8, 14, 28, 32])
def test_transpose_padding_inverts_the_convolution(n_out):
    n_in = conv_out_size(n_out)
    op = transpose_output_padding(n_in, n_out)
    assert (n_in - 1) * 2 - 2 + 3 + op == n_out
    with pytest.raises(ValueError):
        transpose_output_padding(n_in, n_out + 2)


@pytest.mark.parametrize("shape,channels,expected", [
    ((28, 28), (8, 4, 4), [(8, 14, 14), (4, 7, 7), (4, 4, 4)]),
    ((32, 32, 3), (16, 8, 4), [(16, 16, 16), (8, 8, 8), (4, 4, 4)]),
    ((7, 5), (2,), [(2, 4, 3)]),
])
def test_layer_shapes_and_round_trip(shape, channels, expected):
    torch.manual_seed(0)
    net = ConvAutoencoder(shape, channels)
    assert net.layer_shapes == expected
    D = int(np.prod(shape))
    x = torch.rand(5, D)
    out, hidden = net(x, return_hidden=True)
    assert out.shape == (5, D)
    assert [tuple(h.shape) for h in hidden] == [(5, int(np.prod(s))) for s in expected]
    assert torch.all((out > 0) & (out < 1))
    assert all(torch.all((h > 0) & (h < 1)) for h in hidden)  # sigmoid layers
    readout = net.hidden(x, batch_size=2)  # chunked readout equals the one-batch forward pass
    for a, b in zip(readout, hidden):
        torch.testing.assert_close(a, b.detach())


def test_zero_weights_give_sigmoid_of_biases():
    net = ConvAutoencoder((6, 4, 2), (3, 2))
    with torch.no_grad():
        for m in list(net.enc) + list(net.dec):
            m.weight.zero_()
            m.bias.fill_(0.7)
    out, hidden = net(torch.rand(3, 6 * 4 * 2), return_hidden=True)
    s = 1 / (1 + math.exp(-0.7))
    for h in hidden:
        torch.testing.assert_close(h, torch.full_like(h, s))
    torch.testing.assert_close(out, torch.full_like(out, s))


def test_rows_are_read_in_hwc_order():
    # A 1-channel 1x1-kernel identity would hide the layout; instead check the reshaping directly:
    # the value at row index (h * W + w) * C + c must land at image position [c, h, w].
    net = ConvAutoencoder((3, 2, 2), (1,))
    x = torch.arange(12, dtype=torch.float32)[None]
    img = net._to_image(x)
    for h in range(3):
        for w in range(2):
            for c in range(2):
                assert img[0, c, h, w].item() == (h * 2 + w) * 2 + c
    with pytest.raises(ValueError):
        net._to_image(torch.zeros(1, 11))


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        ConvAutoencoder((28,), (4,))
    with pytest.raises(ValueError):
        ConvAutoencoder((28, 28), ())
    with pytest.raises(ValueError):
        ConvAutoencoder((28, 28), (4,), kernel=4)


def test_trains_with_the_shared_loop():
    torch.manual_seed(0)
    x = (torch.rand(64, 8 * 8) > 0.5).float()
    net = ConvAutoencoder((8, 8), (4, 4), activation="relu")
    before = torch.nn.functional.binary_cross_entropy(net(x), x).item()
    train_autoencoder(net, x, SupervisedTraining(epochs=20, batch_size=16, lr=1e-2), seed=0, device="cpu",
                      progress=False)
    after = torch.nn.functional.binary_cross_entropy(net(x), x).item()
    assert after < before
