"""
`patchvet model …`: build the dataset, evaluate, and train the agent-likelihood model.

Training needs the `model` extra (scikit-learn, scipy); scoring does not.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from patchvet.errors import PatchvetError
from patchvet.model.scorer import MODEL_FILE

DEFAULT_MODEL_PATH = Path(__file__).parent.parent / "model" / "data" / MODEL_FILE


def register(commands: Any) -> None:
    """Register `model dataset|eval|train` on the top-level subparsers."""
    model = commands.add_parser(
        "model", help="build, evaluate and train the agent-likelihood model"
    )
    model.set_defaults(handler=run_model_command)
    actions = model.add_subparsers(dest="model_command", metavar="ACTION")
    dataset = actions.add_parser("dataset", help="label commits of local repositories")
    dataset.add_argument(
        "--repo",
        action="append",
        required=True,
        metavar="[OWNER/NAME=]PATH",
        help="a local clone; repeat for several",
    )
    dataset.add_argument(
        "--aidev", type=Path, metavar="DIR", help="the AIDev-pop folder, for the squash-commit join"
    )
    dataset.add_argument("--out", type=Path, required=True, metavar="DIR")
    dataset.add_argument("--max-human", type=int, default=3000)
    dataset.add_argument("--max-recent", type=int, default=800)
    for name, text in (("eval", "leave-one-repository-out evaluation"),
                       ("train", "fit the model and save it")):  # fmt: skip
        action = actions.add_parser(name, help=text)
        action.add_argument(
            "--data",
            type=Path,
            required=True,
            metavar="DIR",
            help="a folder written by `patchvet model dataset`",
        )
        action.add_argument("--json", type=Path, metavar="FILE", help="write metrics as JSON")
        action.add_argument(
            "--markdown", type=Path, metavar="FILE", help="write the results tables as Markdown"
        )
        action.add_argument(
            "--no-baseline", action="store_true", help="skip the TF-IDF baseline (faster)"
        )
        action.add_argument(
            "--folds", type=int, default=0, metavar="N",
            help="deal the repositories into N folds (default: one per repository with agents)",
        )  # fmt: skip
        action.add_argument(
            "--train-human", type=int, default=0, metavar="N",
            help="fit on at most N human commits per repository (default: all); every "
            "held-out commit is still scored",
        )  # fmt: skip
        if name == "train":
            action.add_argument(
                "--output",
                type=Path,
                default=DEFAULT_MODEL_PATH,
                help="where to save the model (default: inside the package)",
            )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def render_markdown(metrics: dict[str, Any]) -> str:
    """The evaluation as Markdown tables."""
    lines = ["| repository | agents | humans | AUROC | TPR @1% FPR | TPR @0.1% FPR | "
             "baseline AUROC | baseline TPR @1% |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    model = metrics["model"]
    baseline = metrics.get("baseline_tfidf_lr", {})
    rows = [("**pooled**", model["pooled"], baseline.get("pooled"))]
    rows += [
        (repo, curve, baseline.get("per_repository", {}).get(repo))
        for repo, curve in model["per_repository"].items()
    ]
    for name, curve, base in rows:
        lines.append(
            f"| {name} | {curve['agents']} | {curve['humans']} | {curve['auroc']:.3f} | "
            f"{_pct(curve['tpr_at_1'])} | {_pct(curve['tpr_at_01'])} | "
            + (f"{base['auroc']:.3f} | {_pct(base['tpr_at_1'])} |" if base else "— | — |")
        )
    lines += ["", f"Threshold for 1% FPR (calibrated probability): "
              f"{metrics['threshold_1pct_fpr']:.3f}; Brier score {metrics['brier']:.4f}.", "",
              "| group | count | mean probability | share above threshold |",
              "|---|---|---|---|"]  # fmt: skip
    for group, row in metrics["era"].items():
        mean = "—" if row["mean_probability"] is None else f"{row['mean_probability']:.3f}"
        lines.append(
            f"| {group} | {row['count']} | {mean} | {_pct(row['share_above_threshold'])} |"
        )
    flags = metrics.get("false_flags_per_repository", {})
    if flags:
        worst = max(flags, key=lambda repo: flags[repo]["flagged"])
        lines += ["", f"Human commits above the threshold, out of fold (worst: {worst}):", "",
                  "| repository | humans | flagged |", "|---|---|---|"]  # fmt: skip
        lines += [f"| {repo} | {row['humans']} | {_pct(row['flagged'])} |"
                  for repo, row in flags.items()]  # fmt: skip
    lines += ["", "| repository | recent unmarked | above threshold |", "|---|---|---|"]
    lines += [
        f"| {repo} | {row['recent']} | {_pct(row['share_above_threshold'])} |"
        for repo, row in metrics.get("era_per_repository", {}).items()
    ]
    lines += ["", "| predicted bin | mean predicted | observed agent share | count |",
              "|---|---|---|---|"]  # fmt: skip
    lines += [
        f"| {row['bin']} | {row['predicted']:.3f} | {row['observed']:.3f} | {row['count']} |"
        for row in metrics["calibration"]
    ]
    return "\n".join(lines) + "\n"


def run_model_command(args: argparse.Namespace) -> int:
    """Dispatch `patchvet model …`; return the exit code."""
    out = sys.stdout
    try:
        from patchvet.model.dataset import build, read_examples
        from patchvet.model.evaluate import evaluate
        from patchvet.model.train import train
    except ImportError as error:
        raise PatchvetError(
            f"model commands need scikit-learn and scipy ({error.name} is missing)",
            hint="python3 -m pip install 'patchvet[model]'",
        ) from None
    if args.model_command == "dataset":
        counts = build(args.repo, args.aidev, args.out, args.max_human, args.max_recent)
        for (repo, label), count in sorted(counts.items()):
            out.write(f"{repo:<36} {label:<7} {count}\n")
        out.write(f"wrote {args.out / 'examples.jsonl'}\n")
        return 0
    if args.model_command not in ("eval", "train"):
        raise PatchvetError("model needs an action", hint="patchvet model dataset|eval|train")
    source = args.data / "examples.jsonl"
    if not source.is_file():
        raise PatchvetError(f"{source} does not exist", hint="run `patchvet model dataset` first")
    examples = list(read_examples(source))
    if len({e.repo for e in examples}) < 2:
        raise PatchvetError("leave-one-repository-out needs at least two repositories")
    logits, metrics = evaluate(examples, not args.no_baseline, args.folds, args.train_human)
    if args.model_command == "train":
        model = train(examples, logits, metrics, args.train_human)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        model.save(args.output)
        out.write(f"saved {args.output} ({args.output.stat().st_size // 1024} KiB)\n")
    if args.json:
        args.json.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    table = render_markdown(metrics)
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")
    out.write(table)
    return 0
