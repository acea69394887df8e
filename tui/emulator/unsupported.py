"""What the emulator does not do, answered as a real API server answers what it cannot do.

- Protobuf request bodies (`application/vnd.kubernetes.protobuf`, sent by imperative `kubectl
  create configmap|secret|namespace`): 415 Unsupported Media Type, listing the JSON types.
"""
from __future__ import annotations

from tui.emulator.store import ApiError

PROTOBUF = "application/vnd.kubernetes.protobuf"
ACCEPTED = ("application/json", "application/yaml", "application/merge-patch+json",
            "application/json-patch+json", "application/strategic-merge-patch+json")


def refuse_protobuf(content_type: str) -> None:
    if content_type.split(";")[0].strip().lower().startswith(PROTOBUF):
        raise ApiError(415, "UnsupportedMediaType",
                       f'the body of the request was in an unknown format - accepted media types include: '
                       f'{", ".join(ACCEPTED)}')
