"""Inside the sandbox `autograder` is this stub: the notebooks' self-check and
nbgrader test cells import it, and while grading they must do nothing (the
real grader is outside, and its tests must never run next to student code)."""
