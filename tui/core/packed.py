"""Raw objects held compressed: the store's form of the kinds that grow with the cluster.

A Pod decoded from JSON is about 10 KB of Python dicts and strings; nearly all of it is read
once, by its parser, and afterwards only when a human opens the object (the detail view, an
action's plan). So the store keeps such an object as compressed JSON and decodes it on demand
(its parser's output is kept beside it, in `Packed.parsed`). Objects of a kind share most of their text (field
names, labels, images), so each kind's first object packed is the preset dictionary of all the
others: a Pod packs to about 300 bytes instead of 1 KB. Nothing is lost: unpack gives back
exactly the object that was packed.

The price is at start: zlib lets go of the GIL on each call, so a source thread packing a
20,000-pod list waits for it to come back each time (start at scale S: 10 s became 14-20 s,
still under half of kubectl's). Held as plain JSON text instead, peak memory rose by ~100 MB.
Compressing each list page once, as one text, would have both.
"""
from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any, TypeAlias

import orjson

from tui.core.kinds import Kind, stored_form
from tui.core.parsers.access import name_of, namespace_of
from tui.core.parsers.events import object_last_seen
from tui.core.rows import object_key

# `Packed.parsed` before the store has parsed the object
NOT_PARSED: Any = object()


class Packed:
    """One object: its "ns/name" key, its JSON compressed with its kind's preset dictionary,
    and that dictionary. Equal when the bytes are equal (the same JSON in the same key order),
    which is how a relist tells an unchanged object cheaply; the same Packed (a list's page and
    its end) is equal at once. `parsed`: its kind's parser output, set by the store when it
    first parses it (an object is never changed, only replaced, so it stays true; kept here
    rather than in a cache beside it: ~100 bytes less per object)."""

    __slots__ = ("data", "dictionary", "key", "parsed")

    def __init__(self, key: str, data: bytes, dictionary: bytes) -> None:
        self.key = key
        self.data = data
        self.dictionary = dictionary
        self.parsed: Any = NOT_PARSED

    def __eq__(self, other: object) -> bool:
        return other is self or (isinstance(other, Packed) and other.key == self.key and other.data == self.data
                                 and other.dictionary == self.dictionary)

    __hash__ = None  # type: ignore[assignment]  # equal by content, like the dict it stands for

    def __repr__(self) -> str:
        return f"Packed({self.key!r}, {len(self.data)} bytes)"


class TimedPacked(Packed):
    """A packed Event, with when it last happened (parsers.events.object_last_seen): the
    store keeps the newest few thousand and orders them by it without decoding any."""

    __slots__ = ("seen",)

    def __init__(self, key: str, data: bytes, dictionary: bytes, seen: datetime) -> None:
        super().__init__(key, data, dictionary)
        self.seen = seen


# what a store bucket holds per object: the object itself, or the object packed
Held: TypeAlias = "dict[str, Any] | Packed"


# per kind: the JSON of its first object packed, the preset dictionary of every later one.
# Set once and never changed (each Packed keeps its own), so it needs no lock across the
# sources' threads: a race at the first object only picks which of two becomes the dictionary.
_DICTIONARIES: dict[str, bytes] = {}


def pack(kind_key: str, key: str, obj: dict[str, Any]) -> Held:
    """The object packed (an Event with its time); the object itself when it will not
    serialize (orjson refuses an integer past 64 bits, which a watch's JSON may carry): kept
    whole, not lost."""
    try:
        text = orjson.dumps(obj)
    except (orjson.JSONEncodeError, TypeError):
        return obj
    dictionary = _DICTIONARIES.setdefault(kind_key, text)
    packer = zlib.compressobj(1, zdict=dictionary)  # level 1: a Pod in about 50 µs
    data = packer.compress(text) + packer.flush()
    if kind_key == "events":
        return TimedPacked(key, data, dictionary, object_last_seen(obj))
    return Packed(key, data, dictionary)


def unpack(held: Held) -> dict[str, Any]:
    """The object, decoded anew from a Packed (a fresh dict each time: callers may keep it)."""
    if isinstance(held, Packed):
        unpacker = zlib.decompressobj(zdict=held.dictionary)
        obj: dict[str, Any] = orjson.loads(unpacker.decompress(held.data) + unpacker.flush())
        return obj
    return held


# The kinds held packed: those that grow with the cluster (a Pod per container group, a
# Longhorn Volume, Replica and Engine per volume, an Event per happening...) and whose objects,
# once parsed, are read one at a time; each has a parser of its own, whose output the Packed
# keeps (`parsed`). Not
# MetalLB's advertisements, read whole by the network layer (and few).
PACKED_KINDS = frozenset({
    "events", "nodes", "pods", "services", "endpointslices", "deployments", "statefulsets", "replicasets",
    "ingresses", "ingressroutes", "ingressroutes_legacy", "applications", "lh_volumes", "lh_nodes",
    "lh_replicas", "lh_engines", "lh_attachments", "lh_snapshots", "lh_backups",
})


def held_form(kind: Kind, obj: dict[str, Any]) -> Held:
    """An object as the store holds it: its stored form (kinds.stored_form), packed when its
    kind is one of PACKED_KINDS and it has a name (a nameless one is refused whole later)."""
    obj = stored_form(kind, obj)
    name = name_of(obj)
    if kind.key not in PACKED_KINDS or not name:
        return obj
    return pack(kind.key, object_key(namespace_of(obj), name), obj)
