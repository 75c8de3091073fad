"""Stopping the real processes some tests start (a Celery worker, gunicorn)."""

import subprocess


def stop(proc: subprocess.Popen, *, grace: float = 20) -> None:
    """SIGTERM, then SIGKILL when it has not ended within ``grace`` seconds; returns once it has ended."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
