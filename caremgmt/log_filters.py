"""Keep client data out of the log output (issue 13 item 3; docs/logging.md).

The app's own log lines carry ids only (a test drives the main flows and checks every record).
What the app does not write itself is an exception's message: PostgreSQL puts the row's
values in an IntegrityError's DETAIL, `int("山田")` repeats its input, and Celery's
"Task … raised" line repeats the exception and its traceback text. `RedactExceptionText`
sits on every handler and replaces each message by its exception type: the traceback keeps
its frames (file, line, function: code only), never the message or notes.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

WITHHELD = "(message withheld: it may carry client data)"


def redacted_traceback(exc: BaseException) -> str:
    """The traceback of `exc` (and of its causes) with every exception message withheld."""
    te = traceback.TracebackException.from_exception(exc)
    seen: set[int] = set()
    stack = [te]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current._str = WITHHELD  # noqa: SLF001 - what format_exception_only prints
        current.__notes__ = None
        if getattr(current, "msg", None) is not None:  # a SyntaxError prints msg and text
            current.msg, current.text = WITHHELD, None
        for chained in (current.__cause__, current.__context__):
            if chained is not None:
                stack.append(chained)
        stack.extend(getattr(current, "exceptions", None) or [])
    return "".join(te.format()).rstrip("\n")


def _withheld(value: Any) -> Any:
    if isinstance(value, BaseException):
        return type(value).__name__
    return WITHHELD


class RedactExceptionText(logging.Filter):
    """Handler filter: exception messages and Celery's failure context never reach the output."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redacted_traceback(record.exc_info[1])
        # Celery's "Task %(name)s[%(id)s] raised unexpected: %(exc)s" (celery.app.trace):
        # `exc` is str(exception) and `traceback` the full text; `args` / `kwargs` are the
        # task's arguments, ids only (tests/caremgmt/test_logs_without_client_data.py).
        for holder in ("args", "data"):
            context = getattr(record, holder, None)
            if isinstance(context, dict) and "exc" in context:
                exc_info = record.exc_info[1] if record.exc_info else None
                redacted = dict(context)
                redacted["exc"] = type(exc_info).__name__ if exc_info else WITHHELD
                if "traceback" in redacted:
                    redacted["traceback"] = record.exc_text or WITHHELD
                setattr(record, holder, redacted)
        return True
