"""Bounded scans of an input before its parser sees it: nesting depth and token sizes.

Oxigraph's JSON-LD parser recurses once per level of nesting (10,000 levels of objects
overflow the stack: a segfault, no message); its RDF/XML parser slows down with the square
of the depth; Turtle lists and blank nodes cost about 1 KiB of memory per level; and each
parser keeps one token (literal, IRI, name, comment) in a buffer of at most 16 MiB. So a
file is checked first, in one linear pass that itself needs constant memory: a regular
expression skips every complete token of bounded size at C speed, and Python looks only at
brackets and at what the expression cannot skip. The pass stops at the first place that
breaks a limit, with its line and column.

The scans only need to agree with the parsers up to the parser's first syntax error:
Turtle, TriG, JSON-LD and RDF/XML are parsed front to back and stop there. N-Triples and
N-Quads are parsed in parallel chunks of lines, so their scan never lets a token run past
the end of a line.
"""

from __future__ import annotations

import codecs
import json
import mmap
import re
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from graph_app.core.errors import InputProblem, Position
from graph_app.core.limits import PARSER_BUFFER, SETTING, Limits, format_size

Buffer = bytes | mmap.mmap
CHUNK = 16 * 2**20


# -- positions ---------------------------------------------------------------------------


def _chunks(buf: Buffer, start: int = 0, end: int | None = None, overlap: int = 0) -> Iterator[bytes]:
    stop = len(buf) if end is None else end
    for at in range(start, stop, CHUNK):
        yield bytes(buf[at:min(at + CHUNK + overlap, stop)])


def position(buf: Buffer, offset: int, file: str) -> Position:
    """The line and column (in characters, both from 1) of byte `offset`."""
    offset = max(0, min(offset, len(buf)))
    line = 1 + sum(chunk.count(b"\n") for chunk in _chunks(buf, 0, offset))
    start = buf.rfind(b"\n", 0, offset) + 1
    column = len(bytes(buf[start:offset]).decode("utf-8", "replace")) + 1
    return Position(file, line, column)


def first_bad_utf8(buf: Buffer) -> int | None:
    """Byte offset of the first byte that is not UTF-8, or None when all of it is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    done = 0
    for chunk in _chunks(buf):
        pending = len(decoder.getstate()[0])  # bytes of a character begun in the last chunk
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as err:
            return done - pending + err.start
        done += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return len(buf) - len(decoder.getstate()[0])
    return None


def utf8_problem(buf: Buffer, file: str) -> InputProblem | None:
    """The message for the first byte of `buf` that is not UTF-8 (None when there is none)."""
    offset = first_bad_utf8(buf)
    if offset is None:
        return None
    return InputProblem(position(buf, offset, file), "not_utf8", byte=f"{buf[offset]:02X}")


def _too_large(buf: Buffer, offset: int, file: str, limit: int) -> InputProblem:
    if limit >= PARSER_BUFFER:
        return InputProblem(position(buf, offset, file), "parser_buffer_full", limit=format_size(limit))
    return InputProblem(position(buf, offset, file), "token_too_large", limit=format_size(limit),
                        setting=SETTING["literal_size"])


def _too_deep(buf: Buffer, offset: int, file: str, limits: Limits) -> InputProblem:
    return InputProblem(position(buf, offset, file), "too_deep", limit=limits.depth,
                        setting=SETTING["depth"])


# -- fast checks that make a full scan unnecessary -----------------------------------------


def _has_long_line(buf: Buffer, limit: int) -> bool:
    """Whether a line is longer than `limit` bytes: jumps from line start to the last line
    break within the next `limit` + 1 bytes, so it takes about len(buf) / limit steps."""
    n = len(buf)
    start = 0
    while n - start > limit:
        last = buf.rfind(b"\n", start, start + limit + 1)
        if last < 0:
            return True
        start = last + 1
    return False


def _more_than(buf: Buffer, needles: tuple[bytes, ...], count: int) -> bool:
    """Whether the needles occur more than `count` times in all (at most `count` + 1 finds
    per needle)."""
    seen = 0
    for needle in needles:
        at = buf.find(needle)
        while at >= 0:
            seen += 1
            if seen > count:
                return True
            at = buf.find(needle, at + len(needle))
    return False


# -- Turtle, TriG, N-Triples, N-Quads --------------------------------------------------------

_WORD = rb"""[^\s"'<>\#()\[\]{}\\,;]"""


@lru_cache(maxsize=8)
def _turtle_tokens(limit: int | None, long_strings: bool) -> re.Pattern[bytes]:
    """A run of complete tokens and no bracket, each at most `limit` bytes long (None: any
    length; a faster pattern for when no line is longer than the limit anyway)."""
    dq = rb'"(?!"")' if long_strings else b'"'
    sq = rb"'(?!'')" if long_strings else b"'"
    if limit is None:
        parts = [
            rb"[ \t\r\n,;]++",
            rb"<(?![<(])[^<>\"{}|^`\\\x00-\x20]*+>",
            rb"(?:" + _WORD + rb"++|\\.)++",
            dq + rb'[^"\\\r\n]*+(?:\\.[^"\\\r\n]*+)*+"',
            sq + rb"[^'\\\r\n]*+(?:\\.[^'\\\r\n]*+)*+'",
            rb"\#[^\r\n]*+",
        ]
    else:
        parts = [
            rb"[ \t\r\n,;]++",
            rb"<(?![<(])[^<>\"{}|^`\\\x00-\x20]{0,%d}>" % limit,
            rb"(?:" + _WORD + rb"|\\.){1,%d}(?!" % limit + _WORD + rb"|\\)",
            dq + rb'(?:[^"\\\r\n]|\\.){0,%d}"' % limit,
            sq + rb"(?:[^'\\\r\n]|\\.){0,%d}'" % limit,
            rb"\#[^\r\n]{0,%d}(?![^\r\n])" % limit,
        ]
    return re.compile(rb"(?:" + b"|".join(parts) + rb")*+")


_LONG_STRING = {
    b'"': re.compile(rb'"""[^"\\]*+(?:(?:\\.|"(?!""))[^"\\]*+)*+"""', re.S),
    b"'": re.compile(rb"'''[^'\\]*+(?:(?:\\.|'(?!''))[^'\\]*+)*+'''", re.S),
}
_WORD_RUN = re.compile(rb"(?:" + _WORD + rb"|\\.)+")


def _line_end(buf: Buffer, at: int) -> int:
    end = buf.find(b"\n", at)
    return len(buf) if end < 0 else end


class _Depth:
    """The nesting level of a scan; InputProblem at the first opening past the limit."""

    def __init__(self, buf: Buffer, file: str, limits: Limits) -> None:
        self.buf, self.file, self.limits, self.level = buf, file, limits, 0

    def open(self, pos: int) -> None:
        self.level += 1
        if self.level > self.limits.depth:
            raise _too_deep(self.buf, pos, self.file, self.limits)

    def close(self) -> None:
        self.level = max(0, self.level - 1)


def _walk(buf: Buffer, tokens: re.Pattern[bytes], step: Callable[[int], int | None]) -> None:
    """Skip runs of tokens at C speed; `step` takes each place where the pattern stops
    and returns where to go on (None: stop the scan)."""
    n = len(buf)
    pos: int | None = 0
    while pos is not None:
        match = tokens.match(buf, pos)
        assert match is not None  # the patterns match the empty string
        if match.end() >= n:
            return
        pos = step(match.end())


def check_turtle(buf: Buffer, file: str, limits: Limits, *, line_based: bool = False) -> None:
    """Depth of ( [ { << and size of every token of a Turtle-family text.

    `line_based` (N-Triples, N-Quads): no token spans lines, as in their parallel parser.
    """
    long_strings = not line_based
    literal = limits.literal_size
    has_long = long_strings and _more_than(buf, (b'"""', b"'''"), 0)
    sizes_safe = not has_long and not _has_long_line(buf, literal)
    openers = (b"<<",) if line_based else (b"(", b"[", b"{", b"<<")  # N-Triples nest only in << >>
    if sizes_safe and not _more_than(buf, openers, limits.depth):
        return
    depth = _Depth(buf, file, limits)

    def step(pos: int) -> int:
        char = buf[pos:pos + 1]
        if char in b"([{":
            depth.open(pos)
            return pos + 1
        if char in b")]}":
            depth.close()
            return pos + (3 if buf[pos:pos + 3] == b")>>" else 1)  # a triple term is one level
        if buf[pos:pos + 2] == b"<<":
            depth.open(pos)
            return pos + (3 if buf[pos:pos + 3] == b"<<(" else 2)
        if buf[pos:pos + 2] == b">>":
            depth.close()
            return pos + 2
        if char == b"<":  # an IRI that is too long, or not closed on its line
            close, end = buf.find(b">", pos), _line_end(buf, pos)
            stop = close if 0 <= close < end else end
            _bounded(buf, pos, stop, file, literal)
            return stop + 1 if stop == close else end
        if char in b"\"'":
            return _skip_string(buf, pos, file, literal, long_strings)
        if char == b"#":
            return _bounded(buf, pos, _line_end(buf, pos), file, literal)
        word = _WORD_RUN.match(buf, pos)
        return _bounded(buf, pos, word.end(), file, literal) if word is not None else pos + 1

    _walk(buf, _turtle_tokens(None if sizes_safe else literal, long_strings), step)


def _bounded(buf: Buffer, start: int, end: int, file: str, literal: int) -> int:
    """`end`, when the token from `start` to it is within the literal limit."""
    if end - start > literal:
        raise _too_large(buf, start, file, literal)
    return end


def _skip_string(buf: Buffer, pos: int, file: str, literal: int, long_strings: bool) -> int:
    quote = buf[pos:pos + 1]
    if long_strings and buf[pos:pos + 3] == quote * 3:
        match = _LONG_STRING[quote].match(buf, pos)
        return _bounded(buf, pos, match.end() if match else len(buf), file, literal)
    # a short string that the token pattern could not take: too long, or not closed on
    # its line (a syntax error that the parser reports; the scan goes on at the next line)
    return _bounded(buf, pos, _line_end(buf, pos), file, literal)


# -- JSON-LD ------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _json_tokens(limit: int) -> re.Pattern[bytes]:
    return re.compile(
        rb"(?:[\s,:]+"
        rb'|"(?:[^"\\]|\\.){0,%d}"' % limit
        + rb'|[^\s,:"\[\]{}\\]{1,%d}(?![^\s,:"\[\]{}\\])' % limit
        + rb")*+",
        re.S,
    )


_JSON_WORD = re.compile(rb'[^\s,:"\[\]{}\\]+')
_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)


def check_json(buf: Buffer, file: str, limits: Limits) -> None:
    """Depth of [ { and size of every string and number of a JSON text."""
    literal = limits.literal_size
    if len(buf) <= literal and not _more_than(buf, (b"[", b"{"), limits.depth):
        return
    depth = _Depth(buf, file, limits)

    def step(pos: int) -> int | None:
        char = buf[pos:pos + 1]
        if char in b"[{":
            depth.open(pos)
            return pos + 1
        if char in b"]}":
            depth.close()
            return pos + 1
        if char == b'"':
            string = _JSON_STRING.match(buf, pos)
            end = _bounded(buf, pos, string.end() if string else len(buf), file, literal)
            return end if string is not None else None  # not closed: the parser stops there
        word = _JSON_WORD.match(buf, pos)
        return _bounded(buf, pos, word.end(), file, literal) if word is not None else pos + 1

    _walk(buf, _json_tokens(literal), step)


def remote_context(buf: Buffer, file: str) -> InputProblem | None:
    """The first remote @context (or @import) of a JSON-LD document, as a message with its
    place; None when there is none. Called after the depth check, so json.loads is safe."""
    try:
        document = json.loads(bytes(buf))
    except (ValueError, RecursionError):
        return None
    url = _find_remote(document)
    if url is None:
        return None
    offset = buf.find(json.dumps(url).encode("utf-8"))
    where = position(buf, offset, file) if offset >= 0 else Position(file)
    return InputProblem(where, "remote_context", url=url)


def _find_remote(node: Any) -> str | None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in ("@context", "@import"):
                value = item.get(key)
                for candidate in value if isinstance(value, list) else [value]:
                    if isinstance(candidate, str):
                        return candidate
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return None


# -- RDF/XML ------------------------------------------------------------------------------

_DTD_ITEM = re.compile(
    rb"""\s+|<!--.*?-->|<\?.*?\?>"""
    rb"""|<!ENTITY\s+(?P<param>%\s+)?(?P<name>[^\s"'>%]+)\s+"""
    rb"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<external>(?:SYSTEM|PUBLIC)\b(?:[^"'>]|"[^"]*"|'[^']*')*))\s*>"""
    rb"""|<!(?:ELEMENT|ATTLIST|NOTATION)\b(?:[^"'>]|"[^"]*"|'[^']*')*>"""
    rb"""|(?P<peref>%[^;\s]+;)""",
    re.S,
)
_DOCTYPE = re.compile(rb"<!DOCTYPE\s+[^\s\[>]+(?:\s+(?:SYSTEM|PUBLIC)(?:\s+(?:\"[^\"]*\"|'[^']*'))+)?\s*(\[)?", re.S)
_ENTITY_REF = re.compile(rb"&([^\s&;#<>\"']+);")
_CHAR_REF = re.compile(rb"&#(?:[0-9]+|x[0-9a-fA-F]+);")


_ANY_START_TAG = re.compile(rb"<[^\s/>!?][^\s/>]*(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>")
_SPACE = re.compile(rb"\s*")


@lru_cache(maxsize=8)
def _start_tag(limit: int) -> re.Pattern[bytes]:
    return re.compile(
        rb"<[^\s/>!?][^\s/>]*(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]{0,%d}\"|'[^']{0,%d}'))*\s*(/?)>" % (limit, limit)
    )


def check_xml(buf: Buffer, file: str, limits: Limits) -> None:
    """Depth of elements, size of texts and attribute values, and the entities of an XML
    document: no external or parameter entities, no entity that refers to others, and
    at most `limits.expansion` times the text (or the literal limit) added by references."""
    literal = limits.literal_size
    start_tag = _start_tag(literal).match
    n = len(buf)
    pos = depth = 0
    entities: dict[bytes, int] = {}
    while pos < n:
        lt = buf.find(b"<", pos)
        text_end = n if lt < 0 else lt
        if text_end - pos > literal and _SPACE.match(buf, pos).end() < text_end:  # type: ignore[union-attr]
            raise _too_large(buf, pos, file, literal)
        if lt < 0:
            break
        head = buf[lt:lt + 9]
        if head.startswith(b"<!--"):
            pos = _after(buf, b"-->", lt + 4)
        elif head.startswith(b"<![CDATA["):
            end = _after(buf, b"]]>", lt + 9)
            if end - lt > literal:
                raise _too_large(buf, lt, file, literal)
            pos = end
        elif head.startswith(b"<?"):
            pos = _after(buf, b"?>", lt + 2)
        elif head.startswith(b"<!DOCTYPE"):
            pos = _doctype(buf, lt, file, entities)
        elif head.startswith(b"<!"):
            pos = _after(buf, b">", lt + 2)
        elif head.startswith(b"</"):
            depth = max(0, depth - 1)
            pos = _after(buf, b">", lt + 2)
        else:
            tag = start_tag(buf, lt)
            if tag is None and _ANY_START_TAG.match(buf, lt) is not None:
                raise _too_large(buf, lt, file, literal)
            if tag is None or not tag.group(1):
                depth += 1
                if depth > limits.depth:
                    raise _too_deep(buf, lt, file, limits)
            pos = tag.end() if tag is not None else _after(buf, b">", lt + 1)
    if entities:
        _check_expansion(buf, file, limits, entities)


def _after(buf: Buffer, end: bytes, start: int) -> int:
    found = buf.find(end, start)
    return len(buf) if found < 0 else found + len(end)


def _doctype(buf: Buffer, at: int, file: str, entities: dict[bytes, int]) -> int:
    head = _DOCTYPE.match(buf, at)
    if head is None or head.group(1) is None:
        return _after(buf, b">", at)
    pos = head.end()
    n = len(buf)
    while pos < n:
        if buf[pos:pos + 1] == b"]":
            return _after(buf, b">", pos)
        item = _DTD_ITEM.match(buf, pos)
        if item is None:
            raise InputProblem(position(buf, pos, file), "parse_error",
                               detail="this part of the document type declaration cannot be read")
        if item.group("peref") or item.group("param") or item.group("external"):
            name = (item.group("name") or item.group("peref") or b"").decode("utf-8", "replace")
            raise InputProblem(position(buf, pos, file), "xml_external_entity", name=name)
        if item.group("name"):
            value = item.group("dq") if item.group("dq") is not None else item.group("sq")
            assert value is not None
            name = item.group("name").decode("utf-8", "replace")
            if b"&" in _CHAR_REF.sub(b"", value) or b"%" in value:
                raise InputProblem(position(buf, pos, file), "xml_nested_entity", name=name)
            entities[item.group("name")] = len(value)
        pos = item.end()
    return n


def _check_expansion(buf: Buffer, file: str, limits: Limits, entities: dict[bytes, int]) -> None:
    uses = Counter(m.group(1) for m in _ENTITY_REF.finditer(buf) if m.group(1) in entities)
    added = sum(count * entities[name] for name, count in uses.items())
    allowed = max(limits.expansion * len(buf), limits.literal_size)
    if added > allowed:
        ratio = max(1, round((len(buf) + added) / max(1, len(buf))))
        raise InputProblem(Position(file), "xml_entity_expansion", ratio=ratio, limit=limits.expansion,
                           setting=SETTING["expansion"])
