from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mail.inbox import Inbox, serve


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    yield from serve()
