"""Random IDs drawn from a pool of random bytes: unique across threads and across a fork."""

import os
import threading

from ledger import ids


def test_threads_never_share_an_id():
    made: list[str] = []

    def make() -> None:
        made.extend(ids.new_row_id("t") for _ in range(2000))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 16000 and len(set(made)) == 16000
    assert all(len(m) == 14 and set(m[2:]) <= set(ids.ALPHABET) for m in made)


def test_a_forked_child_does_not_repeat_its_parents_ids():
    ids.new_claim_id()  # the pool now holds bytes the parent will use next
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write its next IDs and leave at once
        os.write(write, " ".join(ids.new_claim_id() for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = set(os.read(read, 1 << 16).decode().split())
    os.close(read)
    parent = {ids.new_claim_id() for _ in range(50)}
    assert len(child) == 50 and not child & parent


def test_fresh_ids_skip_taken_ones_and_ones_given_by_hand(tmp_path):
    from ledger.store import Ledger

    made = iter(
        ["FL-222222", "FL-333333", "FL-444444", "FL-555555", "FL-666666", "FL-777777", "FL-888888"]
    )
    with Ledger(tmp_path / "l.db") as ledger:
        with ledger.transaction():
            ledger.append("claims", {"id": "FL-222222", "created_by": "t"})
        with ledger.transaction():
            # One candidate first (taken), then two (both free).
            first = ledger.fresh_id("claims", lambda: next(made))
            assert first in ("FL-333333", "FL-444444")
            other = "FL-444444" if first == "FL-333333" else "FL-333333"
            ledger.append("claims", {"id": other, "created_by": "t"})  # given by hand
            # The hand-given one is not free any more: a new batch of four.
            assert ledger.fresh_id("claims", lambda: next(made)) in {
                "FL-555555", "FL-666666", "FL-777777", "FL-888888"
            }  # fmt: skip
