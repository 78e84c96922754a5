# A reply nested 200 000 lists deep: valid JSON, but json.loads recurses on it.
import sys
import time


def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    payload = b"[" * 200_000 + b"]" * 200_000
    worker = sys.modules["student_side.worker"]  # the grader's code in this process
    worker._OUT.write(worker.wire.HEADER.pack(len(payload)) + payload)
    time.sleep(60)
