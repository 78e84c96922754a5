"""Code that runs outside the grader process (mounted into the sandbox); imports no other module at import time."""
