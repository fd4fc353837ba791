"""The fast kernels behind :mod:`convviz.ops` (private): im2col + GEMM, per-channel planes, BLAS threads.

Each kernel is tested against :mod:`convviz.ops.reference`; nothing here validates its inputs.
"""

__all__: list[str] = []
