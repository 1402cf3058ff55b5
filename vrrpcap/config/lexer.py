"""keepalived's line-level lexing: comments, braces, words.

Written from reading keepalived 2.2's lib/parser.c (decomment, read_line, alloc_strvec_r,
alloc_strvec_quoted_escaped); the rules are keepalived's, quirks included, because the point is
to read a file exactly as the daemon does:

* ``#`` and ``!`` start a comment anywhere outside double quotes; ``\\#`` / ``\\!`` are literal.
* A trailing ``\\`` survives decommenting (it only means something in a ``$VAR=`` definition).
* Every ``{`` and ``}`` outside double quotes becomes a line of its own.
* Words are split on whitespace; a double-quoted word keeps its spaces (no escapes, single
  quotes are ordinary). Scripts are split again with shell-like quotes and escapes.
"""

from __future__ import annotations

from dataclasses import dataclass

WHITE_SPACE = " \t\f\n\r\v"
BLANK = " \t"


@dataclass(frozen=True, slots=True)
class Decommented:
    text: str
    unterminated_quote: bool = False


def decomment(line: str) -> Decommented:
    """Strip comments, the escaping of comment characters, and surrounding blanks."""
    text = line.lstrip(BLANK)
    out: list[str] = []
    quote = False
    comment_at: int | None = None  # index in ``out`` where the comment starts
    continued = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            if comment_at is None:
                quote = not quote
            out.append(ch)
            i += 1
        elif ch == "\\":
            if i + 1 >= len(text):
                continued = True  # keepalived drops it here and puts it back after trimming
                break
            nxt = text[i + 1]
            if not quote and nxt in "#!":
                out.append(nxt)
            else:
                out += [ch, nxt]
            i += 2
        else:
            if ch in "#!" and not quote and comment_at is None:
                comment_at = len(out)
            out.append(ch)
            i += 1
    if comment_at is not None:
        out = out[:comment_at]
    result = "".join(out).rstrip(BLANK)
    if continued:
        result += "\\"
    return Decommented(result, unterminated_quote=quote)


def split_at_brace(text: str) -> tuple[str, str]:
    """One step of keepalived's brace splitting: the line up to its first ``{``/``}`` outside
    quotes (or the brace alone, when the line starts with one) and the residue, which keepalived
    reads as its next line (conditionals and definitions apply to it again)."""
    at = _first_brace(text)
    if at is None:
        return text.rstrip(BLANK), ""
    if at == 0:
        return text[0], text[1:].strip(BLANK)
    return text[:at].rstrip(BLANK), text[at:].rstrip(BLANK)


def _first_brace(text: str) -> int | None:
    if not text:
        return None
    if text[0] in "{}":
        return 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            close = text.find('"', i + 1)
            if close < 0:
                return None  # keepalived stops looking at an unmatched quote
            i = close + 1
            continue
        if ch in "{}":
            return i
        i += 1
    return None


@dataclass(frozen=True, slots=True)
class Words:
    words: tuple[str, ...]
    unmatched_quote: bool = False


def words(text: str) -> Words:
    """keepalived's alloc_strvec_r: whitespace-separated words, ``"..."`` kept whole."""
    out: list[str] = []
    i = 0
    n = len(text)
    while True:
        while i < n and text[i] in WHITE_SPACE:
            i += 1
        if i >= n:
            return Words(tuple(out))
        if text[i] == '"':
            close = text.find('"', i + 1)
            if close < 0:
                return Words(tuple(out), unmatched_quote=True)
            out.append(text[i + 1 : close])
            i = close + 1
            continue
        start = i
        while i < n and text[i] not in WHITE_SPACE and text[i] != '"':
            i += 1
        out.append(text[start:i])


_ESCAPES = {"a": "\a", "b": "\b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def script_words(text: str) -> tuple[str, ...] | None:
    """keepalived's alloc_strvec_quoted_escaped, used for scripts: shell-like ``"`` and ``'``
    quoting and backslash escapes. None when a quote is not closed (keepalived drops the line)."""
    out: list[str] = []
    i = 0
    n = len(text)
    while True:
        while i < n and text[i] in WHITE_SPACE:
            i += 1
        if i >= n:
            return tuple(out)
        word: list[str] = []
        quote = ""
        while i < n:
            ch = text[i]
            if ch == "\\":
                if i + 1 >= n:
                    return None
                char, i = _escape(text, i + 1)
                word.append(char)
                continue
            if quote:
                if ch == quote:
                    quote = ""
                else:
                    word.append(ch)
                i += 1
                continue
            if ch in "\"'":
                quote = ch
                i += 1
                continue
            if ch in WHITE_SPACE:
                break
            word.append(ch)
            i += 1
        if quote:
            return None
        out.append("".join(word))


def _escape(text: str, i: int) -> tuple[str, int]:
    """The character escaped at ``text[i]`` (after a backslash) and the index after it."""
    ch = text[i]
    if ch == "x" and i + 1 < len(text) and text[i + 1] in "0123456789abcdefABCDEF":
        j = i + 1
        value = 0
        while j < len(text) and text[j] in "0123456789abcdefABCDEF":
            value = (value << 4 | int(text[j], 16)) & 0xFF
            j += 1
        return chr(value), j
    if ch == "c" and i + 1 < len(text):
        return chr(ord(text[i + 1]) & 0x1F), i + 2
    if "0" <= ch <= "7":
        j = i
        value = 0
        while j < len(text) and j < i + 3 and "0" <= text[j] <= "7":
            value = value * 8 + int(text[j])
            j += 1
        return chr(value & 0xFF), j
    return _ESCAPES.get(ch, ch), i + 1
