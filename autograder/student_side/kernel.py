"""The kernel a self-check runs in: IPython's shell when there is one, and the
notebook's variables (IPython's user namespace, else __main__'s). Shared by the
student kit and the instructor's in-kernel self-check (autograder.selfcheck)."""
from __future__ import annotations

import sys


def ipython_shell():
    module = sys.modules.get("IPython")
    try:
        return module.get_ipython() if module is not None else None
    except Exception:
        return None


def user_namespace(namespace: dict | None) -> dict:
    """The notebook's variables: IPython's user namespace, else __main__'s."""
    if namespace is not None:
        return namespace
    shell = ipython_shell()
    if shell is not None and isinstance(getattr(shell, "user_ns", None), dict):
        return shell.user_ns
    main = sys.modules.get("__main__")
    return vars(main) if main is not None else {}
