"""
The shipped agent-likelihood model: load it (no network), score a contribution.

The model is a logistic regression over standardized dense features and hashed tokens,
followed by Platt calibration, stored as one `.npz` file inside the package. The file is not
compressed: every `patchvet check` reads it, and inflating it (with converting a million half
floats) was a tenth of a one-patch run's start-up; a wheel compresses it as well anyway.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from patchvet.model.features import DENSE_NAMES, HASH_SIZE, dense, hashed_arrays, view
from patchvet.records import Contribution

MODEL_FILE = "agent-likelihood.npz"


@dataclass(frozen=True)
class LikelihoodModel:
    """Weights, calibration and the decision threshold chosen at training time."""

    dense_mean: NDArray[np.float64]
    dense_scale: NDArray[np.float64]
    dense_weights: NDArray[np.float64]
    hashed_weights: NDArray[np.float32]
    bias: float
    platt_a: float
    platt_b: float
    threshold: float
    """Calibrated probability at which at most 1% of size-matched human commits score higher."""
    metadata: dict[str, Any]

    def logit(self, dense: list[float], hashed: dict[int, float]) -> float:
        """The uncalibrated linear score."""
        buckets = np.fromiter(hashed.keys(), dtype=np.int64, count=len(hashed))
        values = np.fromiter(hashed.values(), dtype=np.float64, count=len(hashed))
        return self.logit_arrays(dense, buckets, values)

    def logit_arrays(
        self, dense: list[float], buckets: NDArray[np.int64], values: NDArray[np.float64]
    ) -> float:
        """`logit` for hashed counts given as arrays (`features.hashed_arrays`): the same sum."""
        # Not a BLAS dot product: its summation order follows the CPU's vector width, so the
        # last bits of a score differed between machines (AVX2 and AVX-512 builds of the same
        # numpy). Each product is exactly rounded and fsum rounds their exact sum once, so a
        # score is the same number on every machine.
        standardized = (np.asarray(dense, dtype=np.float64) - self.dense_mean) / self.dense_scale
        terms: list[float] = (standardized * self.dense_weights).tolist()
        terms.append(self.bias)
        if len(buckets):
            terms += (self.hashed_weights[buckets].astype(np.float64) * values).tolist()
        return math.fsum(terms)

    def calibrate(self, logit: float) -> float:
        """Platt scaling: a probability in [0, 1]."""
        z = self.platt_a * logit + self.platt_b
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def score(self, contribution: Contribution) -> float | None:
        """
        Calibrated probability that an autonomous agent produced this contribution, or None
        when it changes nothing the model reads (only lock files, agent instruction files or
        no files): the model was trained on changes to written code and text only.
        """
        seen = view(contribution)
        if not seen.paths:
            return None
        measured = dense(seen)
        return self.calibrate(self.logit_arrays(measured, *hashed_arrays(seen, measured)))

    def save(self, path: Path) -> None:
        """Write the model as an uncompressed `.npz`, hashed weights at half precision."""
        np.savez(
            path,
            dense_mean=self.dense_mean,
            dense_scale=self.dense_scale,
            dense_weights=self.dense_weights,
            hashed_weights=self.hashed_weights.astype(np.float16),
            scalars=np.array([self.bias, self.platt_a, self.platt_b, self.threshold]),
            metadata=np.array(json.dumps(self.metadata)),
        )


@cache
def _single_of_half() -> NDArray[np.float32]:
    """The float32 value of every float16 bit pattern, indexed by the pattern (65,536 values)."""
    return np.arange(1 << 16, dtype=np.uint16).view(np.float16).astype(np.float32)


def as_single(weights: NDArray[Any]) -> NDArray[np.float32]:
    """
    Half-precision weights as float32, bit for bit what `astype` gives: looked up in a table
    of every half float, because numpy converts halves one by one (~17 ms for a million here).
    """
    if weights.dtype != np.float16:
        return weights.astype(np.float32, copy=False)
    return _single_of_half()[weights.view(np.uint16)]


def read_model(path: Path) -> LikelihoodModel:
    """
    Load a model file written by `LikelihoodModel.save`, compressed (as earlier versions
    wrote it) or not.
    """
    with np.load(path, allow_pickle=False) as data:
        bias, platt_a, platt_b, threshold = (float(x) for x in data["scalars"])
        model = LikelihoodModel(
            dense_mean=data["dense_mean"],
            dense_scale=data["dense_scale"],
            dense_weights=data["dense_weights"],
            hashed_weights=as_single(data["hashed_weights"]),
            bias=bias,
            platt_a=platt_a,
            platt_b=platt_b,
            threshold=threshold,
            metadata=json.loads(str(data["metadata"])),
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
