"""A uvicorn server that can be started many times quickly, for the crash test (`test_crash.py`).

Run as `python -m tests.api.forked_server DATABASE_URL PORT`. It imports the service once (the
imports take over a second, mostly OR-Tools), says `ready`, then on each `start` line forks a
child that builds the app from scratch (settings, engine, migrations check, job runner, as
`forcepack serve` does) and serves it with uvicorn on 127.0.0.1:PORT; it answers the child's
pid. The test kills that child with SIGKILL. `quit` kills the last child and ends.

The child is a process of its own, with the database opened by itself: killing it is what a
crash of a real server does to the database file. Only the imports are shared.
"""

from __future__ import annotations

import os
import signal
import sys


def _serve(database_url: str, port: int) -> None:
    import uvicorn

    from forcepack.api.app import create_app
    from forcepack.api.settings import Settings

    settings = Settings(database_url=database_url, max_concurrent_solves=1, queue_length=1)
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    uvicorn.Server(config).run()


def _reap() -> None:
    """Collect the children killed so far (no zombies left behind)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main() -> None:
    database_url, port = sys.argv[1], int(sys.argv[2])
    import alembic.command  # noqa: F401  (the app's start-up runs migrations: import them once, here)
    import uvicorn  # noqa: F401

    import forcepack.api.app  # noqa: F401

    child = 0
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        command = line.strip()
        _reap()
        if command == "start":
            child = os.fork()
            if child == 0:
                try:
                    _serve(database_url, port)
                finally:
                    os._exit(0)
            sys.stdout.write(f"{child}\n")
            sys.stdout.flush()
        elif command == "quit":
            break
    if child:
        try:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


if __name__ == "__main__":
    main()
