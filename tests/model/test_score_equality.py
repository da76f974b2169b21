"""
The fast feature extraction scores exactly as the plain definition of the same features.

`reference_*` below is the straightforward form (one token at a time, each hashed as it comes)
that the optimised code in `patchvet.model.features` must equal bit for bit: same buckets, same
counts, same order, so the same floating-point sum. It is kept here so the comparison stays
meaningful after a retrain; a new feature means updating both. `expected-scores.json` holds
the scores the code gave with the model it was computed for: first the code before the
optimisation, recomputed at each retrain (when the bit-for-bit test holds) so it keeps guarding,
and once when the score's sum became exact (`math.fsum`), so that it is the same number on
every machine (a BLAS dot product's last bit followed the CPU's vector width).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
import zlib
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

from patchvet.model import features
from patchvet.model.features import View, dense, hashed, view
from patchvet.model.scorer import MODEL_FILE, plain_counts, plain_hashed, shipped_model
from patchvet.model.strip import is_unread_file, strip_code_line, strip_subject, strip_text
from patchvet.records import Contribution, SourceKind
from patchvet.sources import read_path

ASSETS = Path(__file__).parent.parent / "assets" / "patches"


def _contributions() -> list[Contribution]:
    return [item for item in read_path(ASSETS) if isinstance(item, Contribution)]


def reference_view(contribution: Contribution) -> View:
    if contribution.kind is SourceKind.PULL_REQUEST or not contribution.commits:
        subject, body = contribution.title, contribution.description
    else:
        message = "\n\n".join(commit.message for commit in contribution.commits)
        subject, _, body = message.partition("\n")
    paths = tuple(
        (change.path, change.status.value, change.additions, change.deletions)
        for change in contribution.files
        if not is_unread_file(change.path)
    )
    added: list[str] = []
    for change in contribution.files:
        if is_unread_file(change.path):
            continue
        for line in change.added_lines:
            if len(added) >= features.MAX_ADDED_LINES:
                break
            added.append(strip_code_line(line.text))
    return View(strip_subject(subject), strip_text(body), paths, tuple(added))


def reference_tokens(seen: View) -> Iterator[str]:
    shape = features._line_shape
    subject = features._AREA_PREFIX.sub("", seen.subject, count=1)
    message = f"{subject}\n{seen.body[: features.MESSAGE_BODY_READ]}"
    message_words = features._WORD.findall(message.lower())
    for width in (3, 5):
        yield from (f"m{width}:{message[i : i + width]}" for i in range(len(message) - width + 1))
    yield from (f"ms:{shape(line)}" for line in message.split("\n"))
    yield from (f"m:{w}" for w in message_words)
    yield from (f"mb:{a}_{b}" for a, b in itertools.pairwise(message_words))
    if subject:
        yield f"s0:{subject.split(' ', 1)[0].lower()}"
    for line in seen.added:
        yield f"sh:{shape(line)}"
        comment = features._COMMENT.match(line)
        if comment:
            words = features._WORD.findall(comment.group(1).lower())
            yield from (f"c:{w}" for w in words)
            yield from (f"cb:{a}_{b}" for a, b in itertools.pairwise(words))
        else:
            yield from (f"a:{ident}" for ident in features._IDENT.findall(line))
    for path, status, _, _ in seen.paths:
        name = path.rsplit("/", 1)[-1]
        yield f"x:{name.rsplit('.', 1)[-1] if '.' in name else ''}"
        yield f"st:{status}"
        yield from (f"d:{part}" for part in path.split("/")[:-1])


def reference_hashed(seen: View) -> dict[int, float]:
    counts: dict[int, int] = {}
    binned = (
        f"b:{name}:{round(value * 2)}"
        for name, value in zip(features.DENSE_NAMES, dense(seen), strict=True)
    )
    for token in itertools.chain(reference_tokens(seen), binned):
        bucket = zlib.crc32(token.encode("utf-8", "replace")) & (features.HASH_SIZE - 1)
        counts[bucket] = counts.get(bucket, 0) + 1
    return {bucket: math.log1p(count) for bucket, count in counts.items()}


def test_the_assets_cover_the_token_kinds() -> None:
    items = _contributions()
    kinds = {token.split(":", 1)[0] for item in items for token in reference_tokens(view(item))}
    assert {"m3", "m5", "ms", "m", "mb", "s0", "sh", "c", "cb", "a", "x", "st", "d"} <= kinds
    assert len(items) >= 10


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("item", _contributions(), ids=lambda item: Path(item.source).name)
def test_fast_features_equal_the_reference_bit_for_bit(item: Contribution, compiled: bool) -> None:
    seen = view(item)
    assert seen == reference_view(item)
    fast = hashed(seen, compiled=compiled)
    slow = reference_hashed(seen)
    assert list(fast.items()) == list(slow.items())
    model = shipped_model()
    if model is not None and seen.paths:
        assert model.score(item) == model.calibrate(model.logit(dense(seen), slow))
        assert model.logit(dense(seen), slow) == reference_logit(dense(seen), slow)


def reference_logit(measured: list[float], hashed_values: dict[int, float]) -> float:
    """The linear score one term at a time in plain floats, summed exactly: the same number
    on every machine, whatever vector width numpy's kernels use."""
    model = shipped_model()
    assert model is not None
    terms = [
        (value - float(mean)) / float(scale) * float(weight)
        for value, mean, scale, weight in zip(
            measured, model.dense_mean, model.dense_scale, model.dense_weights, strict=True
        )
    ]
    terms.append(float(model.bias))
    terms += [
        float(model.hashed_weights[bucket]) * value for bucket, value in hashed_values.items()
    ]
    return math.fsum(terms)


def test_scores_equal_those_of_the_code_before_the_optimisation() -> None:
    expected = json.loads((ASSETS / "expected-scores.json").read_text(encoding="utf-8"))
    blob = files("patchvet.model").joinpath(f"data/{MODEL_FILE}").read_bytes()
    if hashlib.sha256(blob).hexdigest() != expected["model_sha256"]:
        pytest.skip("the shipped model was retrained; the reference test above still holds")
    model = shipped_model()
    assert model is not None
    for arrays in (False, True):
        scores = {Path(item.source).name: model.score(item, arrays) for item in _contributions()}
        assert scores == expected["scores"], arrays


@pytest.mark.parametrize("item", _contributions(), ids=lambda item: Path(item.source).name)
def test_plain_python_hashes_and_scores_as_the_arrays(item: Contribution) -> None:
    # A check of a few patches scores without numpy; it must give the arrays' numbers exactly.
    seen = view(item)
    measured = dense(seen)
    plain = plain_hashed(features.tokens(seen, measured))
    assert list(plain.items()) == list(hashed(seen, measured).items())
    assert list(plain_counts(seen, measured).items()) == list(plain.items())
    model = shipped_model()
    if model is not None and seen.paths:
        assert model.score(item, arrays=False) == model.score(item, arrays=True)
        buckets, values = features.hashed_arrays(seen, measured)
        assert model.logit(measured, plain) == model.logit_arrays(measured, buckets, values)


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("seed", range(6))
def test_array_hashing_of_letter_sequences_equals_crc32_of_each(seed: int, compiled: bool) -> None:
    # Every ASCII character, control characters included, at every place of a sequence, and
    # messages shorter than a sequence: the arrays must give zlib's CRC-32 of every token.
    letters = random.Random(seed)
    subject = "".join(chr(letters.randrange(128)) for _ in range(letters.randrange(0, 40)))
    body = "".join(chr(letters.randrange(128)) for _ in range(letters.randrange(0, 900)))
    seen = View(subject, body, (("a.py", "modified", 1, 0),), ("x = 1",))
    assert features.message_read(seen).isascii()
    assert list(hashed(seen, compiled=compiled).items()) == list(reference_hashed(seen).items())
