"""The exit codes every command shares."""

EXIT_OK = 0
"""Nothing at or above `--fail-on`, or the command did what it was asked."""
EXIT_FAIL = 1
"""At least one contribution at or above `--fail-on`."""
EXIT_USAGE = 2
"""Bad usage or configuration; the message says what and a hint says how to fix it."""
