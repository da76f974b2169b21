"""The contributor beyond this repository: a public GitHub account's recent behaviour, judged."""

from patchvet.account.judge import AccountJudgement, AccountSignal, judge_account
from patchvet.account.snapshot import AccountSnapshot, Event

__all__ = ["AccountJudgement", "AccountSignal", "AccountSnapshot", "Event", "judge_account"]
