"""Convolutional autoencoder whose internal feature maps are read out as codes (Lee & Jo 2022, Fig. 3).

``ConvAutoencoder(image_shape, channels, activation)`` encodes an image (H, W[, C]) through
three (or ``len(channels)``) stride-2 convolutions,

    x (C, H, W) -> z_1 (c_1, H/2, W/2) -> z_2 (c_2, H/4, W/4) -> z_3 (c_3, H/8, W/8)

(each size rounded up: ceil(n / 2) per stride-2 convolution with kernel 3 and padding 1) and
decodes with the mirror-image transposed convolutions back to (C, H, W). Every internal layer
uses ``activation`` (sigmoid by default, so a binarisation threshold of 0.5 means "more on than
off", as for the dense networks of Fig. 1); the reconstruction uses a sigmoid for data in [0, 1].

Images enter and leave as flat rows (M, H*W*C) in the HWC order of
:class:`deepinfo.data.ImageDataset`, so the same training loop
(:func:`deepinfo.models.feedforward.train_autoencoder`) trains dense and convolutional
autoencoders alike. ``hidden(x)`` returns the internal layers flattened, each (M, c_l*h_l*w_l),
ready for :func:`deepinfo.estimators.state_counts` after thresholding.
"""
from __future__ import annotations

import torch

from .feedforward import activation as _activation


def conv_out_size(n: int, kernel: int = 3, stride: int = 2, padding: int = 1) -> int:
    """Spatial size after a convolution: floor((n + 2 padding - kernel) / stride) + 1."""
    if n < 1:
        raise ValueError(f"n={n}: expected a positive spatial size")
    return (n + 2 * padding - kernel) // stride + 1


def transpose_output_padding(n_in: int, n_out: int, kernel: int = 3, stride: int = 2, padding: int = 1) -> int:
    """The ``output_padding`` that makes a transposed convolution map size ``n_in`` to ``n_out``.

    A transposed convolution gives (n_in - 1) stride - 2 padding + kernel + output_padding;
    the result must lie in [0, stride) or the sizes cannot be matched.
    """
    op = n_out - ((n_in - 1) * stride - 2 * padding + kernel)
    if not 0 <= op < stride:
        raise ValueError(f"cannot map size {n_in} to {n_out} with kernel {kernel}, stride {stride}, padding {padding}")
    return op


class ConvAutoencoder(torch.nn.Module):
    """Stride-2 convolutional autoencoder with readable internal layers (Lee & Jo 2022, Fig. 3).

    Parameters
    ----------
    image_shape : (H, W) for grey images or (H, W, C) for colour; inputs are rows (B, H*W*C), HWC order
    channels : feature maps of the encoder's layers, e.g. (8, 4, 4) gives z_1, z_2, z_3
    activation : of every internal layer ('sigmoid', 'relu', 'tanh')
    kernel : square kernel size (odd), stride 2, padding kernel // 2

    ``forward(x, return_hidden=True)`` returns ``(x_hat (B, H*W*C), [z_1, ..., z_L])`` with each
    z_l flattened to (B, c_l * h_l * w_l). ``layer_shapes`` lists (c_l, h_l, w_l).
    """

    def __init__(self, image_shape: tuple, channels: tuple = (8, 4, 4), activation: str = "sigmoid",
                 kernel: int = 3):
        super().__init__()
        if len(image_shape) not in (2, 3) or any(int(s) < 1 for s in image_shape):
            raise ValueError(f"image_shape={image_shape!r}: expected (H, W) or (H, W, C)")
        if len(channels) < 1 or any(int(c) < 1 for c in channels):
            raise ValueError(f"channels={channels!r}: expected at least one positive number of feature maps")
        if kernel % 2 != 1:
            raise ValueError(f"kernel={kernel}: expected an odd kernel size")
        H, W = int(image_shape[0]), int(image_shape[1])
        C = int(image_shape[2]) if len(image_shape) == 3 else 1
        self.image_shape = (H, W, C)
        pad = kernel // 2
        sizes = [(H, W)]
        for _ in channels:
            h, w = sizes[-1]
            sizes.append((conv_out_size(h, kernel, 2, pad), conv_out_size(w, kernel, 2, pad)))
        chans = [C] + [int(c) for c in channels]
        self.layer_shapes = [(chans[l + 1], *sizes[l + 1]) for l in range(len(channels))]
        self.enc = torch.nn.ModuleList(torch.nn.Conv2d(a, b, kernel, stride=2, padding=pad)
                                       for a, b in zip(chans[:-1], chans[1:]))
        dec = []
        for l in range(len(channels), 0, -1):
            (h_in, w_in), (h_out, w_out) = sizes[l], sizes[l - 1]
            op = (transpose_output_padding(h_in, h_out, kernel, 2, pad),
                  transpose_output_padding(w_in, w_out, kernel, 2, pad))
            dec.append(torch.nn.ConvTranspose2d(chans[l], chans[l - 1], kernel, stride=2, padding=pad,
                                                output_padding=op))
        self.dec = torch.nn.ModuleList(dec)
        self.act = _activation(activation)
        self.activation_name = activation

    def _to_image(self, x: torch.Tensor) -> torch.Tensor:
        H, W, C = self.image_shape
        if x.ndim != 2 or x.shape[1] != H * W * C:
            raise ValueError(f"x: expected rows of {H * W * C} values (B, H*W*C), got {tuple(x.shape)}")
        return x.reshape(-1, H, W, C).permute(0, 3, 1, 2)

    def forward(self, x: torch.Tensor, return_hidden: bool = False):
        h = self._to_image(x)
        hidden = []
        for conv in self.enc:
            h = self.act(conv(h))
            hidden.append(h.flatten(1))
        for deconv in self.dec[:-1]:
            h = self.act(deconv(h))
        out = torch.sigmoid(self.dec[-1](h)).permute(0, 2, 3, 1).flatten(1)
        return (out, hidden) if return_hidden else out

    @torch.no_grad()
    def hidden(self, x: torch.Tensor, batch_size: int = 1024) -> list[torch.Tensor]:
        """Internal layers z_1..z_L for all rows of ``x``, each (M, c_l*h_l*w_l), in evaluation mode."""
        was = self.training
        self.eval()
        dev = next(self.parameters()).device
        x = torch.as_tensor(x, dtype=torch.float32)
        chunks = [self(x[i:i + batch_size].to(dev), return_hidden=True)[1] for i in range(0, len(x), batch_size)]
        self.train(was)
        return [torch.cat([c[l] for c in chunks]).cpu() for l in range(len(chunks[0]))]
