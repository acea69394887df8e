"""Findings: what core concludes about the cluster, as data that screens render.

Core decides severity; screens choose colour and layout from it and never parse the text.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Severity(IntEnum):
    """Ordered worst first, so sorting by severity lists what is broken on top."""

    PROBLEM = 0  # broken now: an outage or data at risk
    WARNING = 1  # degraded, or will break if something else goes
    INFO = 2  # worth knowing, nothing wrong


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    subject: str  # what it is about, as the user reads it: "pod wiki/wiki-db-0"
    text: str  # the finding itself, short form first: "CrashLoopBackOff ×14, last 2m ago"
    links: tuple[str, ...] = ()  # "layer|row key" of the rows it concerns (enter/i jump there)
    detail: str = ""  # the full text (a long message), one key away
