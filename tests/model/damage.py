"""Damaged copies of the shipped model, written into a temporary folder (issue 17, item 5).

:func:`damaged_install` copies the manifest and weights into `folder` and damages them one way; every
way must end as ModelFileError with a sentence, never MemoryError, OverflowError, KeyError or TypeError.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np

from convviz.model.files import DEFAULT_MANIFEST

WEIGHTS = json.loads(DEFAULT_MANIFEST.read_text())["weights_file"] if DEFAULT_MANIFEST.exists() else ""


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=False)
    return buf.getvalue()


def _huge_header(shape: tuple[int, ...], descr: str = "<f4") -> bytes:
    """A .npy header claiming `shape` (4 TiB and more), followed by a few bytes of data."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + bytes(64)


def _rewrite_arrays(weights: Path, edit) -> None:
    """Rewrite the .npz with `edit(members)` applied to its {name: .npy bytes}."""
    with zipfile.ZipFile(weights) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    edit(members)
    with zipfile.ZipFile(weights, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _as(dtype: str):
    def edit(members):
        for name, data in members.items():
            members[name] = _npy(np.load(io.BytesIO(data)).astype(dtype))
    return edit


# name -> (changes to the manifest's JSON, or None) and/or an edit of the weights' members.
MANIFEST_EDITS = {
    "sha256 is a number": {"weights_sha256": 12345},
    "sha256 is a list": {"weights_sha256": ["ab"] * 32},
    "layers is text": {"layers": "conv1"},
    "layers is a number": {"layers": 7},
    "classes is an object": {"classes": {"a": 1}},
    "classes are numbers": {"classes": list(range(10))},
    "weights_file is a number": {"weights_file": 7},
    "name is a list": {"name": ["x"]},
    "input is a number": {"input": 5},
    "absurd input side": {"input": {"shape": [1_000_000_000, 1_000_000_000, 3]}},
    "float input side": {"input": {"shape": [1e30, 1e30, 3]}},
    "accuracy is text": {"val_top1_numpy": "high"},
}
LAYER_EDITS = {  # applied to layer 0 (conv1)
    "layer is a number": 5,
    "weight_shape of 1e308": {"weight_shape": [1e308, 3, 3, 3]},
    "weight_shape of 2**40": {"weight_shape": [2 ** 40, 3, 3, 3]},
    "output_shape is text": {"output_shape": "64x64x16"},
    "stride is text": {"stride": "2"},
    "stride is true": {"stride": True},
    "stride of zero": {"stride": 0},
    "no type": {"type": None},
    "name is a number": {"name": 3},
}
ARRAY_EDITS = {
    "npy header claims 4 TiB": lambda m: m.update({"conv1.weight.npy": _huge_header((1 << 20, 1 << 20))}),
    "npy header claims 2**62 float64": lambda m: m.update(
        {"conv1.weight.npy": _huge_header((1 << 62,), "<f8")}),
    "missing array": lambda m: m.pop("dense.bias.npy"),
    "extra array": lambda m: m.update({"evil.npy": _npy(np.zeros(3, np.float32))}),
    "float64 arrays": _as("float64"),
    "big-endian arrays": _as(">f4"),
    "data cut short": lambda m: m.update({"conv1.weight.npy": m["conv1.weight.npy"][:-40]}),
}
CASES = [*MANIFEST_EDITS, *LAYER_EDITS, *ARRAY_EDITS, "truncated manifest", "oversized manifest",
         "deeply nested manifest"]


def damaged_install(folder: Path, case: str) -> Path:
    """Copy the shipped model into `folder`, damage it as `case` says, and return the manifest's path."""
    manifest_path, weights = folder / DEFAULT_MANIFEST.name, folder / WEIGHTS
    shutil.copy(DEFAULT_MANIFEST, manifest_path)
    shutil.copy(DEFAULT_MANIFEST.parent / WEIGHTS, weights)
    manifest = json.loads(manifest_path.read_text())
    if case in ARRAY_EDITS:
        _rewrite_arrays(weights, ARRAY_EDITS[case])
        manifest["weights_sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()  # matching: no help
    elif case in MANIFEST_EDITS:
        manifest.update(MANIFEST_EDITS[case])
    elif case in LAYER_EDITS:
        edit = LAYER_EDITS[case]
        manifest["layers"][0] = edit if not isinstance(edit, dict) else {**manifest["layers"][0], **edit}
    text = json.dumps(manifest)
    if case == "truncated manifest":
        text = text[: len(text) // 2]
    elif case == "oversized manifest":
        text = text + " " * (2 << 20)
    elif case == "deeply nested manifest":
        text = "[" * 100_000 + "]" * 100_000
    manifest_path.write_text(text)
    return manifest_path
