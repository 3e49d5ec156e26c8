"""Print the environment that makes `make test` run the notebooks a second time
on other CPU kernels than the native ones (see the Makefile's test target).

- ``ATEN_CPU_CAPABILITY=default``: torch's scalar ATen kernels instead of its
  AVX2/AVX-512 ones;
- ``MKL_CBWR=COMPATIBLE``: the MKL BLAS inside torch takes its SSE2 code path;
- ``NPY_DISABLE_CPU_FEATURES``: NumPy's SIMD ufunc kernels above its baseline,
  every dispatched feature this CPU has (none on a CPU with no such feature).

OpenBLAS's ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE`` are left as the machine
sets them: some machines need them because older OpenBLAS builds fail there.
``python tests/kernel_env.py CMD ARGS...`` runs CMD (``env A=1 CMD`` for more variables) with those variables set,
after printing which kernels the process gets; with no command it prints that
line for the current environment.
"""
from __future__ import annotations

import os
import subprocess
import sys


def forced_env() -> dict:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    on = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    return {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE",
            "NPY_DISABLE_CPU_FEATURES": " ".join(on)}


def describe() -> str:
    import numpy as np
    import torch
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    simd = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    return (f"torch {torch.__version__}: ATen CPU capability {torch.backends.cpu.get_cpu_capability()}; "
            f"NumPy {np.__version__}: dispatched SIMD in use {simd or 'none (baseline only)'}")


if __name__ == "__main__":
    if len(sys.argv) == 1:
        print(describe())
        sys.exit(0)
    env = {**os.environ, **forced_env()}
    forced = subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True)
    print("other CPU kernels forced:", " ".join(f"{k}={v!r}" for k, v in forced_env().items()))
    print(forced.stdout.strip() or forced.stderr.strip(), flush=True)
    sys.exit(subprocess.call(sys.argv[1:], env=env))
