"""The time zones a user may choose: the canonical zones of the tz database's
`zone.tab` (each country's zones, without the backward-compatible aliases such
as US/Eastern, without Etc/GMT+1 whose sign is inverted, Factory or
localtime), and UTC."""

from functools import cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, available_timezones


def _zone_tab() -> str:
    for directory in TZPATH:
        path = Path(directory) / "zone.tab"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    # No system tz database: zoneinfo reads the tzdata package, which has the table too.
    return resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")


@cache
def time_zone_names() -> frozenset[str]:
    """Every zone a user may choose (the one rule; forms and serializers ask this)."""
    names = {"UTC"}
    for line in _zone_tab().splitlines():
        if line and not line.startswith("#"):
            names.add(line.split("\t")[2])
    return frozenset(names & available_timezones())
