"""Dates and durations as people read them, in Swedish and English, for the command line
and the web alike: 2023-06-30 in Swedish and 30 June 2023 in English (Babel's CLDR data);
P5Y as "5 år" or "5 years"."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import isodate
from babel.dates import format_date

from .messages import message, normalise_language


def day(value: date | str | None, lang: str | None = None) -> str:
    """A date in `lang`. Text is read as a date when it is one (YYYY-MM-DD, or a
    dateTime's day); other text, such as a window "a..b", is returned as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        parsed = _as_date(value)
        if parsed is None:
            return value
        value = parsed
    return _day(value, normalise_language(lang))


@functools.lru_cache(maxsize=8192)
def _day(value: date, lang: str) -> str:
    """Babel's CLDR formatting, kept per date and language (a page writes dozens of
    dates, mostly the same few: today, the end of a validity)."""
    return format_date(value, "short" if lang == "sv" else "d MMMM y", locale=lang)


def _as_date(text: str) -> date | None:
    if len(text) > 10 and text[10] == "T":
        text = text[:10]
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def duration(text: str, lang: str | None = None) -> str:
    """An ISO 8601 duration in words; text that is not one is returned as it is."""
    try:
        parsed = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError, TypeError):
        return text
    years = int(getattr(parsed, "years", 0) or 0)
    months = int(getattr(parsed, "months", 0) or 0)
    days = parsed.days if isinstance(parsed, timedelta) else parsed.tdelta.days
    parts = [message(f"duration_{unit}{'' if n == 1 else 's'}", lang, n=n)
             for unit, n in (("year", years), ("month", months), ("day", days)) if n]
    return ", ".join(parts) if parts else text
