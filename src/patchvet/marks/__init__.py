"""Explicit marks of coding agents: the registry of agents and the detection of their marks."""

from patchvet.marks.detect import AgentMark, detect_marks
from patchvet.marks.registry import Agent, AgentRegistry, load_registry

__all__ = ["Agent", "AgentMark", "AgentRegistry", "detect_marks", "load_registry"]
