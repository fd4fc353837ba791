"""Every damaged model install is ModelFileError with a sentence (issue 17, item 5), never another error."""

from __future__ import annotations

import pytest

from convviz.lessons import architectures
from convviz.model.files import DEFAULT_MANIFEST, ModelFileError, read_manifest
from convviz.model.tinyvgg import load_pretrained
from tests.model.damage import ARRAY_EDITS, CASES, damaged_install

if not DEFAULT_MANIFEST.exists():
    pytest.skip(f"the model weights are not installed ({DEFAULT_MANIFEST} is absent)",
                allow_module_level=True)


@pytest.mark.parametrize("case", CASES)
def test_damaged_install_is_a_model_file_error(tmp_path, case):
    """load_pretrained of each damaged copy raises ModelFileError whose message is one short sentence."""
    manifest = damaged_install(tmp_path, case)
    with pytest.raises(ModelFileError) as info:
        load_pretrained(manifest)
    text = str(info.value)
    assert text.endswith((".", "...")) and len(text) < 400, text


@pytest.mark.parametrize("case", [c for c in CASES if c not in ARRAY_EDITS])
def test_damaged_manifest_is_refused_by_the_architecture_lesson(tmp_path, monkeypatch, case):
    """The architecture explorer reads the same manifest: the same ModelFileError, nothing else."""
    manifest = damaged_install(tmp_path, case)
    with pytest.raises(ModelFileError):
        read_manifest(manifest)
    monkeypatch.setattr(architectures, "TINYVGG_MANIFEST", manifest)
    with pytest.raises(ModelFileError):
        architectures.load_spec(architectures.TINYVGG)


def test_a_4_tib_npy_header_is_refused_before_any_allocation(tmp_path):
    """The header's shape is compared with the manifest before a byte of data is read."""
    with pytest.raises(ModelFileError, match=r"must be float32 of shape \(16, 3, 3, 3\).*1048576, 1048576"):
        load_pretrained(damaged_install(tmp_path, "npy header claims 4 TiB"))


def test_a_manifest_that_grows_past_its_cap_is_read_with_a_bound(tmp_path, monkeypatch):
    """_read_bytes never reads more than its cap + 1, whatever the size on disk said."""
    from convviz.model import files

    manifest = damaged_install(tmp_path, "oversized manifest")
    with pytest.raises(ModelFileError, match="bytes or more, more than the 1,048,576 expected"):
        read_manifest(manifest)
    real_stat = type(manifest).stat

    class SmallStat:  # the file claims to be small (it grew after stat)
        st_size = 10

    monkeypatch.setattr(type(manifest), "stat", lambda self, **kw: SmallStat() if self == manifest
                        else real_stat(self, **kw))
    with pytest.raises(ModelFileError, match="1,048,577 bytes or more"):
        files._read_bytes(manifest, "model manifest", 1 << 20)
