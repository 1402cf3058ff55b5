"""The notify call queue (vrrpcap/live/notify_queue.py) on its own: no root, no script."""

from __future__ import annotations

from vrrpcap.live.notify import Change
from vrrpcap.live.notify_queue import CallQueue


def change(vr: str, router: str, state: str = "MASTER", cause: str = "initial") -> Change:
    return Change(vr, 51, router, state, 100, cause, 0.0)


def test_a_newer_change_of_a_router_replaces_its_waiting_one() -> None:
    q = CallQueue()
    assert q.add(change("vr1", "a")) == []
    replaced = change("vr1", "b")
    assert q.add(replaced) == []
    (pushed,) = q.add(change("vr1", "b", "FAULT", "silence"))
    assert pushed[0] is replaced and "superseded" in pushed[1]
    assert q.size == 2
    first = q.take()
    assert first is not None and (first.router, first.state) == ("a", "MASTER")
    assert q.take() is None  # one call at a time per virtual router
    q.done("vr1")
    second = q.take()
    assert second is not None and (second.router, second.state) == ("b", "FAULT")


def test_real_changes_run_before_first_sightings_and_one_at_a_time_per_virtual_router() -> None:
    q = CallQueue()
    for n in range(5):
        q.add(change(f"flood{n}", "x"))
    q.add(change("real", "old", "FAULT", "silence"))
    q.add(change("real", "new", "MASTER", "silence"))
    first = q.take()
    assert first is not None and (first.vr, first.router) == ("real", "old")
    second = q.take()
    assert second is not None and second.vr == "flood0"  # "real" is busy until done()
    q.done("real")
    third = q.take()
    assert third is not None and (third.vr, third.router) == ("real", "new")


def test_the_bound_drops_first_sightings_before_real_changes() -> None:
    q = CallQueue(limit=3)
    q.add(change("real", "r", "FAULT", "silence"))
    pushed = [p for n in range(5) for p in q.add(change(f"flood{n}", "x"))]
    assert q.size == 3
    assert [c.vr for c, _ in pushed] == ["flood0", "flood1", "flood2"]
    assert all("already waiting" in why for _, why in pushed)
    taken = q.take()
    assert taken is not None and taken.vr == "real"
