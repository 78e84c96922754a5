"""The one vocabulary of what happened to a test or a call.

A test's kind is results.json's `extra_data.kind`; a call's kind is
`CallResult.kind` (a failed call's kind becomes its test's kind, except
EXCEPTION, which becomes ERROR or NOT_IMPLEMENTED). The values are part of the
output format: never rename one.
"""
from __future__ import annotations

# Outcomes of a test.
PASSED = "passed"
PARTIAL = "partial"                 # a property check's partial credit
WRONG = "wrong"
ERROR = "error"                     # the function raised
NOT_IMPLEMENTED = "not_implemented"  # it still raises NotImplementedError
MISSING = "missing"                 # the submission does not define it
# The grader got no answer out of the student's code.
TIMEOUT = "timeout"
CRASH = "crash"
MEMORY = "memory"
TOO_LARGE = "too_large"
PROTOCOL = "protocol"
BUDGET = "budget"                   # the submission's total time budget is used up
UNREADABLE = "unreadable"           # the notebook could not be read
GRADER_ERROR = "grader_error"
FORBIDDEN = "forbidden"             # a forbidden library was imported
# Only a call's kind: the function raised (see ERROR, NOT_IMPLEMENTED).
EXCEPTION = "exception"

GRADING_FAILURES = (TIMEOUT, CRASH, MEMORY, TOO_LARGE, PROTOCOL, BUDGET, UNREADABLE, GRADER_ERROR)
PROCESS_KILLERS = frozenset({TIMEOUT, CRASH, TOO_LARGE, PROTOCOL, MEMORY})  # the process is restarted
NOT_STARTED = (NOT_IMPLEMENTED, MISSING)

LABELS = {
    PASSED: "passed", WRONG: "wrong answer", PARTIAL: "partial credit", ERROR: "raised an error",
    NOT_IMPLEMENTED: "not implemented", MISSING: "not defined", TIMEOUT: "timeout",
    CRASH: "process crashed", MEMORY: "out of memory", TOO_LARGE: "output too large",
    PROTOCOL: "protocol error", BUDGET: "time budget used up", UNREADABLE: "unreadable notebook",
    GRADER_ERROR: "grader error", FORBIDDEN: "forbidden library",
}
