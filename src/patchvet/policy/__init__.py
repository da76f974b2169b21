"""Policy: load `.patchvet.toml` and presets, and map findings to verdicts."""

from patchvet.policy.engine import judge
from patchvet.policy.loader import load_policy, load_preset, preset_names, preset_text
from patchvet.policy.schema import Policy

__all__ = ["Policy", "judge", "load_policy", "load_preset", "preset_names", "preset_text"]
