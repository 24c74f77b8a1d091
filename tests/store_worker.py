"""Helper processes for ``tests/test_store_durability.py`` (run as a script, never collected).

Every mode reads ``MLROADMAP_HOME`` from the environment, like the CLI does.

``tick ROADMAP GO_FILE ITEM...``
    Import once, print ``ready``, wait until GO_FILE exists, then tick each ITEM
    with ``tracker.mark`` (a new ``Tracker`` per item, as each CLI command makes
    one) and print the item's ID after ``mark`` returned.

``hold forever``
    Take the store's lock, print ``held`` and keep it until stdin is closed or
    the process is killed.

``hold rmw SECONDS``
    Take the store's lock, read the store, print ``held``, sleep SECONDS, then
    write the store back with one more event (``ml-12-weeks/vectors-matrices``
    done) and only then release the lock: a read-modify-write that spans the
    whole hold, so a writer that did not wait would have its update lost.

``zygote ROADMAP USER_DIR``
    Import once and load ROADMAP from USER_DIR, print ``ready``. Then, for each
    line ``HOME`` on stdin: fork a child that ticks every leaf of ROADMAP in
    order into ``HOME/store.json``, writing ``tick ID`` to stdout (one
    ``os.write``) after each ``mark`` returned; print ``pid N``; wait for a
    line ``reap``; reap the child and print ``exit STATUS`` (the raw wait
    status). Forking makes a crash run cost milliseconds instead of an
    interpreter start-up.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path


def tick(roadmap_id: str, go_file: str, items: list[str]) -> None:
    from mlroadmap import tracker

    tracker.Tracker().catalog.get(roadmap_id)  # load (and cache) before the start line
    print("ready", flush=True)
    while not os.path.exists(go_file):
        time.sleep(0.005)
    for item in items:
        tracker.mark(tracker.Tracker(), queries=[item], action="done", roadmap_query=roadmap_id)
        print(item, flush=True)


def hold(mode: str, seconds: float) -> None:
    from filelock import FileLock

    from mlroadmap import tracker
    from mlroadmap.store import Store, lock_path

    store = Store()
    store.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = FileLock(str(lock_path(store.path)), mode=0o600)
    lock.acquire()
    if mode == "forever":
        print("held", flush=True)
        sys.stdin.read()
        return
    data = store.load()
    print("held", flush=True)
    time.sleep(seconds)
    event = tracker.new_event("ml-12-weeks", "vectors-matrices", "done")
    store.write(data.model_copy(update={"events": [*data.events, event]}))
    lock.release()
    print("released", flush=True)


def zygote(roadmap_id: str, user_dir: str) -> None:
    from mlroadmap import tracker
    from mlroadmap.catalog import Catalog
    from mlroadmap.store import Store

    catalog = Catalog(user_dir=Path(user_dir))
    leaves = catalog.get(roadmap_id).index.leaves
    print("ready", flush=True)
    for line in sys.stdin:
        home = Path(line.strip())
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # the child: tick until killed, never return into the loop
            code = 0
            try:
                t = tracker.Tracker(catalog=catalog, store=Store(home / "store.json"))
                for leaf in leaves:
                    tracker.mark(t, queries=[leaf], action="done", roadmap_query=roadmap_id)
                    os.write(1, f"tick {leaf}\n".encode())
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
                code = 3
            os._exit(code)
        print(f"pid {pid}", flush=True)
        if sys.stdin.readline().strip() != "reap":
            raise SystemExit("protocol error: expected 'reap'")
        _, status = os.waitpid(pid, 0)
        print(f"exit {status}", flush=True)


def main(argv: list[str]) -> None:
    mode, *args = argv
    if mode == "tick":
        tick(args[0], args[1], args[2:])
    elif mode == "hold":
        hold(args[0], float(args[1]) if len(args) > 1 else 0.0)
    elif mode == "zygote":
        zygote(args[0], args[1])
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
