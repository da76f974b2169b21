"""
The shipped agent-likelihood model: load it (no network), score a contribution.

The model is a logistic regression over standardized dense features and hashed tokens,
followed by Platt calibration, stored as one `.npz` file inside the package. The file is not
compressed: every `patchvet check` reads it, and inflating it (with converting a million half
floats) was a tenth of a one-patch run's start-up; a wheel compresses it as well anyway.

Reading and scoring need no numpy: a check of a few patches would spend more on importing it
(about a fifth of a one-patch run) than it saves. The file is read with `zipfile`, each
weight when it is looked up, and a score is the exact sum (`math.fsum`) of exactly rounded
terms, so plain Python floats give it bit for bit; tokens are counted by the compiled kernel
where it is built, else hashed in Python. After `PLAIN_SCORES` contributions, or once told to
expect volume (`expect_volume`), a process scores with numpy's arrays instead (weights looked
up by fancy indexing; without the kernel, a message's letter sequences hashed as arrays rather
than as a Python string each): the same score, sooner.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import json
import math
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from patchvet.budget import look
from patchvet.model.features import (
    DENSE_NAMES,
    HASH_SIZE,
    View,
    compiled_counts,
    dense,
    hashed_arrays,
    message_read,
    tokens,
    view,
)
from patchvet.records import Contribution

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MODEL_FILE = "agent-likelihood.npz"
PLAIN_SCORES = 100
"""Contributions a process scores in plain Python before it imports numpy to score the rest:
numpy's import costs about as much as plain hashing loses on a hundred or two typical ones."""
PLAIN_MESSAGE_CHARS = 8192
"""A message read longer than this is always scored with arrays: plain hashing makes a string
of each of its letter sequences (millions for a megabyte-long subject)."""
_CHUNK = 4096
"""Tokens hashed between two looks at the time budget."""


@dataclass(frozen=True)
class HashedWeights:
    """
    One weight per hashed bucket, as little-endian IEEE floats: half (`e`, as the model file
    stores them) or single (`f`, as training gives them). Each is read when it is looked up:
    widening a million of them at start-up would cost more than a check of one patch uses.
    """

    data: bytes
    kind: str
    """The `struct` code of one weight: `e` or `f`."""

    def __post_init__(self) -> None:
        if self.kind not in ("e", "f"):
            raise ValueError(f"hashed weights must be half or single floats, not {self.kind!r}")

    @cached_property
    def _read(self) -> Any:
        return struct.Struct("<" + self.kind).unpack_from

    @property
    def width(self) -> int:
        """Bytes per weight."""
        return 2 if self.kind == "e" else 4

    def __len__(self) -> int:
        return len(self.data) // self.width

    def __getitem__(self, bucket: int) -> float:
        """The weight of one bucket, exactly (a half or single float widens without rounding)."""
        if not 0 <= bucket < len(self):
            raise IndexError(bucket)
        value: float = self._read(self.data, bucket * self.width)[0]
        return value

    def single(self) -> NDArray[np.float32]:
        """Every weight as a float32 numpy array (for scoring many contributions, and training)."""
        return self._single

    @cached_property
    def _single(self) -> NDArray[np.float32]:
        import numpy as np

        if self.kind == "f":
            return np.frombuffer(self.data, dtype="<f4").astype(np.float32)
        return as_single(np.frombuffer(self.data, dtype="<f2"))

    def single_bytes(self) -> bytes:
        """Every weight as little-endian float32 bytes, as numpy's `tobytes` gives them."""
        if self.kind == "f":
            return self.data
        count = len(self)
        return struct.pack(f"<{count}f", *struct.unpack(f"<{count}e", self.data))

    @classmethod
    def of_array(cls, weights: NDArray[Any]) -> HashedWeights:
        """The weights of a numpy array: kept as half floats if they are, else as float32."""
        import numpy as np

        if weights.dtype == np.float16:
            return cls(weights.astype("<f2").tobytes(), "e")
        return cls(weights.astype("<f4").tobytes(), "f")


@dataclass(frozen=True)
class LikelihoodModel:
    """Weights, calibration and the decision threshold chosen at training time."""

    dense_mean: tuple[float, ...]
    dense_scale: tuple[float, ...]
    dense_weights: tuple[float, ...]
    hashed_weights: HashedWeights
    bias: float
    platt_a: float
    platt_b: float
    threshold: float
    """Calibrated probability at which at most 1% of size-matched human commits score higher."""
    metadata: dict[str, Any]

    def dense_terms(self, dense: list[float]) -> list[float]:
        """Each dense measurement's term: standardized, times its weight (as numpy rounds it)."""
        return [
            (value - mean) / scale * weight
            for value, mean, scale, weight in zip(
                dense, self.dense_mean, self.dense_scale, self.dense_weights, strict=True
            )
        ]

    def logit(self, dense: list[float], hashed: dict[int, float]) -> float:
        """The uncalibrated linear score."""
        # Not a BLAS dot product: its summation order follows the CPU's vector width, so the
        # last bits of a score differed between machines (AVX2 and AVX-512 builds of the same
        # numpy). Each product is exactly rounded and fsum rounds their exact sum once, so a
        # score is the same number on every machine, and the same in plain Python.
        terms = self.dense_terms(dense)
        terms.append(self.bias)
        weight = self.hashed_weights.__getitem__
        terms += [weight(bucket) * value for bucket, value in hashed.items()]
        return math.fsum(terms)

    def logit_arrays(
        self, dense: list[float], buckets: NDArray[np.int64], values: NDArray[np.float64]
    ) -> float:
        """`logit` for hashed counts given as arrays (`features.hashed_arrays`): the same sum."""
        import numpy as np

        terms = self.dense_terms(dense)
        terms.append(self.bias)
        if len(buckets):
            weights = self.hashed_weights.single()[buckets].astype(np.float64)
            terms += (weights * values).tolist()
        return math.fsum(terms)

    def calibrate(self, logit: float) -> float:
        """Platt scaling: a probability in [0, 1]."""
        z = self.platt_a * logit + self.platt_b
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def score(self, contribution: Contribution, arrays: bool | None = None) -> float | None:
        """
        Calibrated probability that an autonomous agent produced this contribution, or None
        when it changes nothing the model reads (only lock files, agent instruction files or
        no files): the model was trained on changes to written code and text only.

        `arrays` chooses how tokens are hashed (the score is the same): with numpy's arrays,
        or in plain Python; by default plain for a process's first `PLAIN_SCORES`.
        """
        seen = view(contribution)
        if not seen.paths:
            return None
        measured = dense(seen)
        if arrays is None:
            arrays = _ROUTE.arrays or len(message_read(seen)) > PLAIN_MESSAGE_CHARS
            if not arrays:
                _ROUTE.scored()
        if arrays:
            return self.calibrate(self.logit_arrays(measured, *hashed_arrays(seen, measured)))
        return self.calibrate(self.logit(measured, plain_counts(seen, measured)))

    def save(self, path: Path) -> None:
        """Write the model as an uncompressed `.npz`, hashed weights at half precision."""
        import numpy as np

        np.savez(
            path,
            dense_mean=np.array(self.dense_mean, dtype=np.float64),
            dense_scale=np.array(self.dense_scale, dtype=np.float64),
            dense_weights=np.array(self.dense_weights, dtype=np.float64),
            hashed_weights=self.hashed_weights.single().astype(np.float16),
            scalars=np.array([self.bias, self.platt_a, self.platt_b, self.threshold]),
            metadata=np.array(json.dumps(self.metadata)),
        )


class _Route:
    """Whether this process scores with numpy's arrays yet, and how many it scored without."""

    def __init__(self) -> None:
        self.arrays = False
        self.plain = 0

    def scored(self) -> None:
        self.plain += 1
        if self.plain >= PLAIN_SCORES:
            self.arrays = True


_ROUTE = _Route()


def expect_volume() -> None:
    """
    Score with numpy's arrays from now on: a run of many contributions is starting. numpy is
    imported now, so that worker processes forked afterwards do not each import it.
    """
    importlib.import_module("numpy")
    _ROUTE.arrays = True


_MASK = HASH_SIZE - 1


def plain_hashed(every: Iterable[str]) -> dict[int, float]:
    """
    `features.hashed` in plain Python: {bucket: log(1 + count)} in first-token order (a
    `Counter` keeps the order in which keys first came). Tokens are encoded and hashed by
    C-level maps, a chunk at a time between looks at the time budget.
    """
    counts: Counter[int] = Counter()
    every = iter(every)
    while chunk := list(itertools.islice(every, _CHUNK)):
        look()
        encoded = map(str.encode, chunk, itertools.repeat("utf-8"), itertools.repeat("replace"))
        counts.update(map(_MASK.__and__, map(zlib.crc32, encoded)))
    return dict(zip(counts, map(math.log1p, counts.values()), strict=True))


def plain_counts(seen: View, measured: list[float]) -> dict[int, float]:
    """
    `features.hashed` without numpy: the compiled kernel's counts where it is built (read
    from its int64 bytes), else the tokens hashed in Python (`plain_hashed`).
    """
    made = compiled_counts(seen, measured)
    if made is None:
        return plain_hashed(tokens(seen, measured))
    buckets, counts = (memoryview(part).cast("q").tolist() for part in made)
    return dict(zip(buckets, map(math.log1p, counts), strict=True))


@cache
def _single_of_half() -> NDArray[np.float32]:
    """The float32 value of every float16 bit pattern, indexed by the pattern (65,536 values)."""
    import numpy as np

    return np.arange(1 << 16, dtype=np.uint16).view(np.float16).astype(np.float32)


def as_single(weights: NDArray[Any]) -> NDArray[np.float32]:
    """
    Half-precision weights as float32, bit for bit what `astype` gives: looked up in a table
    of every half float, because numpy converts halves one by one (~17 ms for a million here).
    """
    import numpy as np

    if weights.dtype != np.float16:
        return weights.astype(np.float32, copy=False)
    return _single_of_half()[weights.view(np.uint16)]


_NPY_MAGIC = b"\x93NUMPY"


def _npy(raw: bytes, name: str) -> tuple[str, tuple[int, ...], bytes]:
    """(dtype code, shape, data) of one `.npy` member, read without numpy."""
    if not raw.startswith(_NPY_MAGIC) or len(raw) < 10:
        raise ValueError(f"model file member {name} is not an .npy array")
    major = raw[6]
    size_format, start = ("<H", 8) if major == 1 else ("<I", 8)
    (header_size,) = struct.unpack_from(size_format, raw, start)
    begin = start + struct.calcsize(size_format)
    header = ast.literal_eval(raw[begin : begin + header_size].decode("latin-1"))
    if not isinstance(header, dict) or header.get("fortran_order"):
        raise ValueError(f"model file member {name} has an unexpected layout")
    return str(header["descr"]), tuple(header["shape"]), raw[begin + header_size :]


def _floats(archive: zipfile.ZipFile, name: str) -> tuple[float, ...]:
    descr, shape, data = _npy(archive.read(f"{name}.npy"), name)
    if descr != "<f8" or len(shape) != 1:
        raise ValueError(f"model file member {name} is not a list of doubles")
    return struct.unpack(f"<{shape[0]}d", data[: 8 * shape[0]])


def _hashed(archive: zipfile.ZipFile) -> HashedWeights:
    descr, shape, data = _npy(archive.read("hashed_weights.npy"), "hashed_weights")
    kinds = {"<f2": "e", "<f4": "f"}
    if descr not in kinds or len(shape) != 1:
        raise ValueError("model file member hashed_weights is not a list of half or single floats")
    kind = kinds[descr]
    return HashedWeights(data[: struct.calcsize(kind) * shape[0]], kind)


def _text(archive: zipfile.ZipFile, name: str) -> str:
    descr, shape, data = _npy(archive.read(f"{name}.npy"), name)
    if not descr.startswith("<U") or shape != ():
        raise ValueError(f"model file member {name} is not a string")
    # numpy stores a string as UTF-32 code units padded with NULs, and drops the padding.
    return data[: 4 * int(descr[2:])].decode("utf-32-le").rstrip("\x00")


def read_model(path: Path) -> LikelihoodModel:
    """
    Load a model file written by `LikelihoodModel.save`, compressed (as earlier versions
    wrote it) or not.
    """
    with zipfile.ZipFile(path) as archive:
        bias, platt_a, platt_b, threshold = _floats(archive, "scalars")
        model = LikelihoodModel(
            dense_mean=_floats(archive, "dense_mean"),
            dense_scale=_floats(archive, "dense_scale"),
            dense_weights=_floats(archive, "dense_weights"),
            hashed_weights=_hashed(archive),
            bias=bias,
            platt_a=platt_a,
            platt_b=platt_b,
            threshold=threshold,
            metadata=json.loads(_text(archive, "metadata")),
        )
    if len(model.dense_weights) != len(DENSE_NAMES) or len(model.hashed_weights) != HASH_SIZE:
        raise ValueError("model file does not match this version's features; retrain it")
    return model


@cache
def shipped_model() -> LikelihoodModel | None:
    """The model packaged with patchvet, or None when this build has none."""
    resource = files("patchvet.model").joinpath(f"data/{MODEL_FILE}")
    if not resource.is_file():
        return None
    with as_file(resource) as path:
        return read_model(path)
