"""Inside the sandbox `dlphys_selfcheck` (the student kit) is this stub: the
notebooks' imports cell and nbgrader test cells use it, and while grading
they must do nothing (the real grader is outside)."""


def check(*args, **kwargs):
    return None


def check_all(*args, **kwargs):
    return None


def nbgrader_check(*args, **kwargs):
    return None
