"""keepalived's number readers (read_int, read_unsigned, read_decimal_unsigned in lib/parser.c).

They matter because keepalived is lenient in odd ways: ``weight -30x`` is read as -30 with a
warning where the reader is "ignore_error", but ``priority 150x`` is rejected and keepalived
uses its default. Each reader returns the value keepalived computed, whether it accepts it, and
the complaint it logs.
"""

from __future__ import annotations

from dataclasses import dataclass

WHITE_SPACE = " \t\f\n\r\v"


@dataclass(frozen=True, slots=True)
class Number:
    value: int  # what keepalived stored (also when it complains)
    ok: bool  # whether keepalived uses it
    problem: str | None = None


def _c_integer(text: str) -> tuple[int, bool, bool]:
    """C strtol/strtoul (base 10): value, whether any digit was read, whether text remains."""
    i = 0
    while i < len(text) and text[i] in WHITE_SPACE:
        i += 1
    sign = 1
    if i < len(text) and text[i] in "+-":
        sign = -1 if text[i] == "-" else 1
        i += 1
    start = i
    while i < len(text) and "0" <= text[i] <= "9":
        i += 1
    if i == start:
        return 0, False, bool(text)
    return sign * int(text[start:i]), True, i < len(text)


def read_int(text: str, low: int, high: int, *, lenient: bool) -> Number:
    value, digits, rest = _c_integer(text)
    if rest or not digits:
        return Number(value, lenient and low <= value <= high, f"invalid number '{text}'")
    if not low <= value <= high:
        return Number(value, False, f"number '{text}' outside range [{low}, {high}]")
    return Number(value, True)


def read_unsigned(text: str, low: int, high: int, *, lenient: bool) -> Number:
    if text.lstrip(WHITE_SPACE).startswith("-"):
        return Number(0, False, f"negative number '{text}'")
    return read_int(text.lstrip(WHITE_SPACE), low, high, lenient=lenient)


def read_decimal(text: str, shift: int, low: int, high: int, *, lenient: bool) -> Number:
    """A decimal with up to ``shift`` places, as an integer of 10**-shift units."""
    if text.startswith("-"):
        return Number(0, False, f"negative number '{text}'")
    problem: str | None = None
    round_up = False
    dot = text.find(".")
    if dot >= 0:
        places = text[dot + 1 :]
        if len(places) > shift:
            problem = f"number '{text}' has too many decimal places"
            round_up = places[shift] >= "5"
            places = places[:shift]
        digits = text[:dot] + places + "0" * (shift - len(places))
    else:
        digits = text + "0" * shift
    value, read, rest = _c_integer(digits)
    if round_up:
        value += 1
    if rest or not read:
        return Number(value, lenient and low <= value <= high, f"invalid number '{text}'")
    if not low <= value <= high:
        return Number(value, False, f"number '{text}' outside range")
    return Number(value, True, problem)
