"""No-op stand-ins for the self-check API while a submission is being graded."""


def check(*args, **kwargs):
    return None


def check_all(*args, **kwargs):
    return None


def nbgrader_check(*args, **kwargs):
    return None
