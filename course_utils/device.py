"""Which torch device the course uses, said in words, and the one comparison of
torch's RNN layers on a device (the GPU when there is one) against NumPy.

The lessons and labs call :func:`agreement_on_device` with ``"cuda"`` when a GPU
is present; the tests call the same function with ``"cpu"``, so the GPU code
path is exercised on every machine (lessons 02 and 07, labs 01-03).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import torch

from .oracle import load_params

__all__ = ["pick_device", "describe_device", "DeviceCheck", "agreement_on_device",
           "tf32_for_rnns", "FLOAT32_BOUND", "TF32_BOUND"]

#: float32 vs a float64 reference over a few dozen steps: round-off ~1e-6, bound 1e-4
FLOAT32_BOUND = 1e-4
#: TensorFloat-32 rounds the inputs of every product to a 10-bit mantissa (~1e-3)
TF32_BOUND = 1e-2

_LAYERS = {"RNN": torch.nn.RNN, "GRU": torch.nn.GRU, "LSTM": torch.nn.LSTM}


def pick_device(prefer_gpu: bool = True) -> torch.device:
    """``cuda`` when a CUDA GPU is visible (and wanted), else ``cpu``.

    Used in notebooks/00_orientation.ipynb, notebooks/06_long_dependencies.ipynb,
    notebooks/10_char_language_model.ipynb.
    """
    if prefer_gpu and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def describe_device(device: torch.device | None = None) -> str:
    """One sentence on the device: the GPU's name, or why the CPU is used.

    Used in notebooks/00_orientation.ipynb, notebooks/01_rnn.ipynb, notebooks/02_gru.ipynb,
    notebooks/06_long_dependencies.ipynb, notebooks/07_speed.ipynb,
    notebooks/09_gru_vs_lstm.ipynb, notebooks/10_char_language_model.ipynb,
    solutions/01_rnn.ipynb, solutions/02_gru.ipynb, solutions/03_lstm.ipynb.
    """
    device = device or pick_device()
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        return f"Using the GPU: {name} (CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()})."
    if torch.cuda.is_available():
        return "A GPU is present but this run uses the CPU (prefer_gpu=False)."
    return (f"No CUDA GPU found: everything runs on the CPU "
            f"(torch uses {torch.get_num_threads()} thread(s)). GPU cells say so and skip.")


@contextlib.contextmanager
def tf32_for_rnns(allow: bool):
    """Allow or forbid TensorFloat-32 in cuDNN's RNN kernels inside the block.

    cuDNN's RNNs follow the cuDNN switch ``torch.backends.cudnn.rnn.fp32_precision``
    ("tf32" or "ieee"; in torch 2.13), not the matmul switch
    ``torch.backends.cuda.matmul.fp32_precision``. The old value is restored.
    Used in notebooks/07_speed.ipynb.
    """
    rnn = torch.backends.cudnn.rnn
    old = rnn.fp32_precision
    rnn.fp32_precision = "tf32" if allow else "ieee"
    try:
        yield
    finally:
        rnn.fp32_precision = old


@dataclass
class DeviceCheck:
    """The result of :func:`agreement_on_device`; ``passed`` when ``max_err <= bound``.

    Returned by agreement_on_device (labs 01-03, lessons 02 and 07).
    """

    kind: str
    device_name: str
    tf32: bool
    steps: int
    max_err: float
    bound: float

    @property
    def passed(self) -> bool:
        return bool(self.max_err <= self.bound)

    def __str__(self) -> str:
        mode = "float32, TF32 allowed" if self.tf32 else "float32"
        verdict = "agrees with" if self.passed else "DIFFERS from"
        return (f"torch.nn.{self.kind} on {self.device_name} ({mode}) {verdict} NumPy float64 "
                f"over {self.steps} steps: max |difference| = {self.max_err:.1e} "
                f"(bound {self.bound:g})")


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return "the CPU"


def agreement_on_device(kind: str, X, state, params, reference, device="cuda",
                        tf32: bool | None = None) -> DeviceCheck:
    """Run ``torch.nn.<kind>`` in float32 on ``device`` and compare with a NumPy output.

    kind: "RNN", "GRU" or "LSTM"; X (T, B, I); state: h0 (B, H), or (h0, c0) for
    the LSTM; params: (W_ih, W_hh, b_ih, b_hh) in torch's layout; reference: the
    NumPy output H (T, B, H), float64. tf32: allow TensorFloat-32 in cuDNN (None:
    leave torch's setting); ignored on the CPU, which has no TF32.
    Returns a DeviceCheck whose bound is TF32_BOUND with TF32 and FLOAT32_BOUND
    without.
    Used in notebooks/02_gru.ipynb, notebooks/07_speed.ipynb, solutions/01_rnn.ipynb,
    solutions/02_gru.ipynb, solutions/03_lstm.ipynb.
    """
    device = torch.device(device)
    on_gpu = device.type == "cuda"
    if tf32 is None:
        tf32 = on_gpu and torch.backends.cudnn.rnn.fp32_precision == "tf32"
    tf32 = bool(tf32) and on_gpu
    W_ih, W_hh = params[:2]
    H = np.shape(W_hh)[1]
    layer = load_params(_LAYERS[kind](np.shape(W_ih)[1], H), *params).to(device)  # float32

    def on(a):
        return torch.from_numpy(np.asarray(a, np.float32)).to(device)

    states = tuple(on(s)[None] for s in state) if kind == "LSTM" else on(state)[None]
    with torch.no_grad(), tf32_for_rnns(tf32) if on_gpu else contextlib.nullcontext():
        out, _ = layer(on(X), states)
    err = float(np.abs(out.double().cpu().numpy() - np.asarray(reference, np.float64)).max())
    return DeviceCheck(kind, _device_name(device), tf32, int(np.shape(X)[0]), err,
                       TF32_BOUND if tf32 else FLOAT32_BOUND)
