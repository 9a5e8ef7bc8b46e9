"""Generators for the spec's own string formats, so that schema-driven tools send values
the spec calls valid. `openapi/README.md` defines the formats."""

from datetime import timedelta, timezone

import schemathesis
from hypothesis import strategies as st

# `date-or-date-time`: a calendar date (`2025-06-01`) or an RFC 3339 date-time with an
# offset (`2025-06-01T08:00:00Z`, `2025-06-01T08:00:00.5+08:00`).
_offsets = st.one_of(
    st.just(timezone.utc),
    st.integers(min_value=-12 * 60, max_value=14 * 60).map(
        lambda minutes: timezone(timedelta(minutes=minutes))
    ),
)
_date_times = st.datetimes(timezones=_offsets).map(
    lambda instant: instant.isoformat().replace("+00:00", "Z")
)
schemathesis.openapi.format(
    "date-or-date-time",
    st.one_of(st.dates().map(lambda day: day.isoformat()), _date_times),
)
