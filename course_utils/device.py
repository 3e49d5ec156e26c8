"""Which torch device the course uses, said in words."""
from __future__ import annotations

import torch

__all__ = ["pick_device", "describe_device"]


def pick_device(prefer_gpu: bool = True) -> torch.device:
    """``cuda`` when a CUDA GPU is visible (and wanted), else ``cpu``."""
    if prefer_gpu and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def describe_device(device: torch.device | None = None) -> str:
    """One sentence on the device: the GPU's name, or why the CPU is used."""
    device = device or pick_device()
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        return f"Using the GPU: {name} (CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()})."
    if torch.cuda.is_available():
        return "A GPU is present but this run uses the CPU (prefer_gpu=False)."
    return (f"No CUDA GPU found: everything runs on the CPU "
            f"(torch uses {torch.get_num_threads()} thread(s)). GPU cells say so and skip.")
