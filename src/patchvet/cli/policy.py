"""`patchvet policy list|show`: the shipped presets and resolved policies."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from patchvet.cli.exits import EXIT_OK
from patchvet.cli.policy_toml import render
from patchvet.errors import PatchvetError
from patchvet.policy import load_policy, preset_names
from patchvet.policy.schema import dump


def register(commands: Any) -> None:
    """Register `policy list|show`."""
    policy_cmd = commands.add_parser("policy", help="list presets or show a resolved policy")
    policy_sub = policy_cmd.add_subparsers(dest="policy_command", metavar="ACTION")
    policy_sub.add_parser("list", help="list the shipped presets")
    show = policy_sub.add_parser("show", help="print a resolved policy")
    show.add_argument("name", metavar="PRESET_OR_FILE")
    show.add_argument("--format", choices=["toml", "json"], default="toml")
    policy_cmd.set_defaults(handler=run_policy)


def run_policy(args: argparse.Namespace) -> int:
    """Run `patchvet policy …`; return the exit code."""
    out = sys.stdout
    if args.policy_command == "list":
        for name in preset_names():
            preset = load_policy(name, Path())
            out.write(f"{name:<18} {preset.description}\n")
        return EXIT_OK
    if args.policy_command == "show":
        policy = load_policy(args.name, Path())
        if args.format == "json":
            out.write(json.dumps(dump(policy), indent=2) + "\n")
        else:
            out.write(
                f"# policy {policy.name}"
                + (f" (extends {policy.extends})" if policy.extends else "")
            )
            out.write(f"\n# source: {policy.source}\n\n" if policy.source else "\n\n")
            out.write(render(policy))
        return EXIT_OK
    raise PatchvetError("policy needs an action", hint="patchvet policy list | show NAME")
