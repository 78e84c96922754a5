# Write a well-framed but ill-typed reply straight into the protocol channel
# (the worker's private copy of stdout), then hang: the grader reads the forgery.
import sys
import json
import time


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    reply = {"event": "result", "ok": True, "value": 0, "mutated": 5, "warnings": 5,
             "forbidden_imports": 5}
    payload = json.dumps(reply).encode()
    worker = sys.modules["student_side.worker"]  # the grader's code in this process
    worker._OUT.write(worker.wire.HEADER.pack(len(payload)) + payload)
    time.sleep(60)
