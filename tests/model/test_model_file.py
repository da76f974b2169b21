"""The model file: read fast at start-up without numpy, and the same whichever way it was stored."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from patchvet.model.calibrate import fingerprint
from patchvet.model.scorer import (
    MODEL_FILE,
    HashedWeights,
    LikelihoodModel,
    as_single,
    read_model,
    shipped_model,
)


def _same(first: LikelihoodModel, second: LikelihoodModel) -> None:
    for name in ("dense_mean", "dense_scale", "dense_weights"):
        assert getattr(first, name) == getattr(second, name), name
    assert first.hashed_weights.single_bytes() == second.hashed_weights.single_bytes()
    assert (first.bias, first.platt_a, first.platt_b, first.threshold) == (
        second.bias,
        second.platt_a,
        second.platt_b,
        second.threshold,
    )
    assert first.metadata == second.metadata
    assert fingerprint(first) == fingerprint(second)


def _arrays(model: LikelihoodModel) -> dict[str, NDArray[Any]]:
    return {
        "dense_mean": np.array(model.dense_mean),
        "dense_scale": np.array(model.dense_scale),
        "dense_weights": np.array(model.dense_weights),
        "hashed_weights": model.hashed_weights.single().astype(np.float16),
        "scalars": np.array([model.bias, model.platt_a, model.platt_b, model.threshold]),
        "metadata": np.array(json.dumps(model.metadata)),
    }


def test_the_shipped_model_is_stored_uncompressed() -> None:
    # Inflating it cost every `patchvet check` ~25 ms of start-up; save() writes it stored.
    # A model saved by an older version fails here: load it and save it again.
    with zipfile.ZipFile(str(files("patchvet.model").joinpath(f"data/{MODEL_FILE}"))) as archive:
        assert {entry.compress_type for entry in archive.infolist()} == {zipfile.ZIP_STORED}


def test_the_reader_gives_what_numpy_reads(tmp_path: Path) -> None:
    model = shipped_model()
    assert model is not None
    path = tmp_path / "model.npz"
    model.save(path)
    with np.load(path, allow_pickle=False) as data:
        for name in ("dense_mean", "dense_scale", "dense_weights"):
            assert data[name].dtype == np.float64
            assert tuple(data[name].tolist()) == getattr(model, name)
        stored = data["hashed_weights"]
        assert stored.dtype == np.float16
        assert model.hashed_weights.single().tobytes() == stored.astype(np.float32).tobytes()
        assert list(data["scalars"]) == [model.bias, model.platt_a, model.platt_b, model.threshold]
        assert json.loads(str(data["metadata"])) == model.metadata
    picks = np.random.default_rng(3).integers(0, len(model.hashed_weights), 2000).tolist()
    widened = model.hashed_weights.single()
    assert [model.hashed_weights[bucket] for bucket in picks] == widened[picks].tolist()


def test_a_model_saved_compressed_reads_bit_for_bit_the_same(tmp_path: Path) -> None:
    model = shipped_model()
    assert model is not None
    older = tmp_path / "older.npz"
    # The layout earlier versions wrote: the same members, deflated.
    np.savez_compressed(older, allow_pickle=False, **_arrays(model))
    _same(read_model(older), model)
    again = tmp_path / "again.npz"
    read_model(older).save(again)
    _same(read_model(again), model)


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    model = shipped_model()
    assert model is not None
    arrays = _arrays(model)
    arrays["dense_mean"] = arrays["dense_mean"].astype(np.float32)
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, allow_pickle=False, **arrays)
    with pytest.raises(ValueError, match="dense_mean"):
        read_model(wrong)
    arrays = _arrays(model)
    arrays["hashed_weights"] = arrays["hashed_weights"][:1000]
    short = tmp_path / "short.npz"
    np.savez(short, allow_pickle=False, **arrays)
    with pytest.raises(ValueError, match="retrain"):
        read_model(short)


def test_weights_read_one_at_a_time_equal_numpy_widened_ones() -> None:
    # Every half bit pattern but NaNs (no weight is one), subnormals and infinities included.
    every = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    every = every[~np.isnan(every)]
    half = HashedWeights.of_array(every)
    assert half.kind == "e"
    assert [half[index] for index in range(len(every))] == every.astype(np.float64).tolist()
    assert half.single_bytes() == every.astype(np.float32).tobytes()
    single = HashedWeights.of_array(every.astype(np.float32) * np.float32(1.5))
    assert single.kind == "f" and single.single_bytes() == single.data
    assert single[7] == float(every[7].astype(np.float32) * np.float32(1.5))
    with pytest.raises(IndexError):
        half[len(every)]


def test_half_floats_widen_exactly_as_numpy_converts_them() -> None:
    # Every bit pattern, NaN payloads and subnormals included, through the reader's path.
    every = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    assert as_single(every).tobytes() == every.astype(np.float32).tobytes()
    shuffled = np.random.default_rng(7).permutation(every)
    assert as_single(shuffled).tobytes() == shuffled.astype(np.float32).tobytes()


def test_loading_the_model_imports_no_numpy() -> None:
    code = (
        "import sys\n"
        "from patchvet.model.scorer import shipped_model\n"
        "assert shipped_model() is not None\n"
        "print('numpy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"]


def test_the_fingerprint_is_that_of_the_numpy_arrays() -> None:
    # Calibrations written while the model's weights were numpy arrays name it by this digest.
    model = shipped_model()
    assert model is not None
    digest = hashlib.sha256()
    for part in (
        np.array(model.dense_mean, dtype=np.float64),
        np.array(model.dense_scale, dtype=np.float64),
        np.array(model.dense_weights, dtype=np.float64),
        model.hashed_weights.single(),
    ):
        digest.update(part.tobytes())
    digest.update(repr((model.bias, model.platt_a, model.platt_b, model.threshold)).encode())
    assert fingerprint(model) == digest.hexdigest()[:16]
