"""
Analyzers: one module per concern, each a pure function from a `Subject` to findings.

`ANALYZERS` is the ordered registry the checker runs; its keys are the finding families.
"""

from patchvet.analyzers.account import account
from patchvet.analyzers.binary import binary
from patchvet.analyzers.ci_change import ci_change
from patchvet.analyzers.dependency import dependency
from patchvet.analyzers.disclosure import disclosure
from patchvet.analyzers.fingerprint import agent_fingerprint
from patchvet.analyzers.honeypot import honeypot
from patchvet.analyzers.identity import identity
from patchvet.analyzers.interface import Analyzer, Subject
from patchvet.analyzers.likelihood import agent_likelihood
from patchvet.analyzers.protected_path import protected_path
from patchvet.analyzers.rate import rate
from patchvet.analyzers.review import review
from patchvet.analyzers.rules import policy_rules
from patchvet.analyzers.signals import compute_signals
from patchvet.analyzers.signoff import signoff
from patchvet.analyzers.size import measure, size
from patchvet.analyzers.unicode import unicode_chars

ANALYZERS: dict[str, Analyzer] = {
    "agent-fingerprint": agent_fingerprint,
    "agent-likelihood": agent_likelihood,
    "disclosure": disclosure,
    "policy": policy_rules,
    "signoff": signoff,
    "size": size,
    "protected-path": protected_path,
    "ci-change": ci_change,
    "dependency": dependency,
    "unicode": unicode_chars,
    "binary": binary,
    "identity": identity,
    "rate": rate,
    "review": review,
    "honeypot": honeypot,
    "account": account,
}

__all__ = ["ANALYZERS", "Analyzer", "Subject", "compute_signals", "measure"]
