"""Timestamps in Graph's form: UTC, seven fractional digits, `Z`."""

from __future__ import annotations

from datetime import UTC, datetime


def graph_timestamp(moment: datetime | None = None) -> str:
    """e.g. 2020-07-06T06:34:12.2294868Z (Python has microseconds: the seventh digit is 0)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
