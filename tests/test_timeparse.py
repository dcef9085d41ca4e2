from datetime import timedelta

import pytest

from sim.timeparse import as_timestamp, format_duration, parse_duration, parse_instant


@pytest.mark.parametrize("text,seconds", [("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400),
                                          ("1h30m", 5400), ("0", 0), (0, 0), ("1.5h", 5400), ("15min", 900)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text,fragment", [("-5m", "negative"), ("5", "no unit"), (5, "no unit"),
                                           ("abc", "cannot read"), ("", "cannot read"), (-1, "negative")])
def test_bad_durations(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_duration(text)


def test_instants_need_a_zone():
    assert parse_instant("2025-05-11T22:00+03:00").utcoffset() == timedelta(hours=3)
    assert parse_instant("2025-05-11 22:00 Asia/Qatar").utcoffset() == timedelta(hours=3)
    assert parse_instant("2025-05-11T19:00Z").utcoffset() == timedelta(0)
    assert parse_instant("2025-05-11 22:00 Asia/Qatar") == parse_instant("2025-05-11T19:00Z")
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_instant("2025-05-11T22:00")
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_instant("2025-05-11 22:00 Asia/Doha_Nowhere")
    with pytest.raises(ValueError, match="both an offset and a zone"):
        parse_instant("2025-05-11T22:00+03:00 Asia/Qatar")


def test_format_and_timestamps():
    assert format_duration(5400) == "1h 30m"
    assert format_duration(-90000) == "-1d 1h"
    assert format_duration(0) == "0s"
    assert as_timestamp("2025-05-11T19:00Z") == as_timestamp(parse_instant("2025-05-11T22:00+03:00"))
