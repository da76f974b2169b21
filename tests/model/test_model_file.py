"""The model file: read fast at start-up, and read the same from either way it was stored."""

from __future__ import annotations

import json
import zipfile
from importlib.resources import files
from pathlib import Path

import numpy as np

from patchvet.model.calibrate import fingerprint
from patchvet.model.scorer import (
    MODEL_FILE,
    LikelihoodModel,
    as_single,
    read_model,
    shipped_model,
)


def _same(first: LikelihoodModel, second: LikelihoodModel) -> None:
    for name in ("dense_mean", "dense_scale", "dense_weights", "hashed_weights"):
        one, other = getattr(first, name), getattr(second, name)
        assert one.dtype == other.dtype and one.tobytes() == other.tobytes(), name
    assert (first.bias, first.platt_a, first.platt_b, first.threshold) == (
        second.bias,
        second.platt_a,
        second.platt_b,
        second.threshold,
    )
    assert first.metadata == second.metadata
    assert fingerprint(first) == fingerprint(second)


def test_the_shipped_model_is_stored_uncompressed() -> None:
    # Inflating it cost every `patchvet check` ~25 ms of start-up; save() writes it stored.
    # A model saved by an older version fails here: load it and save it again.
    with zipfile.ZipFile(str(files("patchvet.model").joinpath(f"data/{MODEL_FILE}"))) as archive:
        assert {entry.compress_type for entry in archive.infolist()} == {zipfile.ZIP_STORED}


def test_a_model_saved_compressed_reads_bit_for_bit_the_same(tmp_path: Path) -> None:
    model = shipped_model()
    assert model is not None
    older = tmp_path / "older.npz"
    # The layout earlier versions wrote: the same members, deflated.
    np.savez_compressed(
        older,
        dense_mean=model.dense_mean,
        dense_scale=model.dense_scale,
        dense_weights=model.dense_weights,
        hashed_weights=model.hashed_weights.astype(np.float16),
        scalars=np.array([model.bias, model.platt_a, model.platt_b, model.threshold]),
        metadata=np.array(json.dumps(model.metadata)),
    )
    _same(read_model(older), model)
    again = tmp_path / "again.npz"
    read_model(older).save(again)
    _same(read_model(again), model)


def test_half_floats_widen_exactly_as_numpy_converts_them() -> None:
    # Every bit pattern, NaN payloads and subnormals included, through the reader's path.
    every = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    assert as_single(every).tobytes() == every.astype(np.float32).tobytes()
    shuffled = np.random.default_rng(7).permutation(every)
    assert as_single(shuffled).tobytes() == shuffled.astype(np.float32).tobytes()
