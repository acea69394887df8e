"""A FrozenView is the store of one moment, taken on the loop for an action's thread: the store
moving on (a node lost, an app deleted) never changes what the plan was made from."""
from __future__ import annotations

from tests.support.core_samples import application, node, store_with, volume
from tui.core.actions import action_for
from tui.core.events import Changed
from tui.core.frozen_view import freeze
from tui.core.ports import StoreView


def _store():
    return store_with({
        "nodes": [node("hel-wk-01"), node("hel-wk-02")],
        "lh_volumes": [volume("pvc-wiki-db", "hel-wk-01", pvc=("wiki", "data-wiki-db-0"))],
        "applications": [application("wiki", [("StatefulSet", "wiki", "wiki-db")])],
    })


def test_a_frozen_view_keeps_its_moment_while_the_store_moves_on():
    store = _store()
    view: StoreView = freeze(store)
    index = view.impact()
    store.handle(Changed("nodes", "DELETED", node("hel-wk-02")))
    store.handle(Changed("applications", "DELETED", application("wiki", [])))
    assert [n.name for n in store.rows("nodes")] == ["hel-wk-01"]
    assert [n.name for n in view.rows("nodes")] == ["hel-wk-01", "hel-wk-02"]
    assert view.row("nodes", "hel-wk-02") is not None and store.row("nodes", "hel-wk-02") is None
    assert view.get("applications", "argocd/wiki") is not None
    assert store.get("applications", "argocd/wiki") is None
    assert view.impact() is index and store.impact() is not index


def test_an_action_plans_from_the_view_not_from_the_live_store():
    store = _store()
    view = freeze(store)
    sync = action_for("app.sync", "argocd/wiki")
    store.handle(Changed("applications", "DELETED", application("wiki", [])))
    # the live store says the app is gone; the view it was planned from still has it
    assert sync.preconditions(store) and not sync.preconditions(view)


def test_an_unknown_layer_is_an_error_that_names_the_layers():
    view = freeze(_store())
    try:
        view.rows("podz")
    except KeyError as exc:
        assert "podz" in str(exc) and "nodes" in str(exc)
    else:
        raise AssertionError("an unknown layer must not read as an empty one")
