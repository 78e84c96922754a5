"""Grader-written routines that run inside the student process (see worker._driver).

A driver module defines `run(student_function, **kwargs)` and returns plain
data. It runs next to untrusted code, so nothing secret may live here: the
grader sends only what the student may see and judges the answer itself.
"""
