"""The password of a command line, without putting it where `ps` shows it."""

from __future__ import annotations

import getpass
import os
import sys


def password_from(given: str | None, variable: str) -> str | None:
    """The option if given, else the environment variable, else asked on the terminal.

    The prompt does not echo; None when there is no option, no variable and no terminal.
    """
    if given is not None:
        return given
    if (value := os.environ.get(variable)) is not None:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return None
