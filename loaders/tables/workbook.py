"""Opening an Excel workbook safely: its zip package is checked before openpyxl reads it,
and every error of zipfile, zlib, the XML parser and openpyxl becomes a message that names
the file, and the sheet and row where one is known.

* The sizes the package declares are checked first, from its central directory: unpacked,
  the workbook may be at most `LOAD_MAX_EXPANSION` times its packed size and at most
  `LOAD_MAX_FILE_SIZE` (a 1.5 MB workbook that unpacks to 350 MB is refused at once).
* Then every part is unpacked once as a stream, which checks its actual size and checksum
  (zipfile stops at the declared size and compares the CRC-32), so a flipped byte is
  reported with the part it is in, before openpyxl sees half a sheet.
* The same pass notes which sheets hold formulas, so that only those are read a second time
  to find formulas saved without a value (see reader.py).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError as XmlParseError

from openpyxl import load_workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.exceptions import InvalidFileException

from graph_app.core.errors import InputProblem, Position
from graph_app.core.limits import SETTING, Limits, format_size

# What zipfile, zlib, expat and openpyxl raise on a damaged or strange package.
LIBRARY_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zlib.error, XmlParseError, InvalidFileException, EOFError, KeyError,
    ValueError, TypeError, IndexError, AttributeError, OverflowError, NotImplementedError,
    RuntimeError, UnicodeDecodeError, OSError,
)
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_BLOCK = 2**20


@dataclass
class Package:
    """What the check of a package found: the parts that hold formulas."""

    formulas: set[str] = field(default_factory=set)


def describe(err: BaseException) -> str:
    """A one-line description of a library error for a message."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    name = type(err).__name__
    if name == "error":  # zlib.error, binascii.error: the module says more than the class
        name = f"{type(err).__module__}.{name}"
    return f"{name}: {text}" if text else name


def damaged(file: str, part: str, err: BaseException | str, sheet: str = "") -> InputProblem:
    """`file:sheet: the workbook is damaged (part): what the library said`."""
    detail = err if isinstance(err, str) else describe(err)
    return InputProblem(Position(f"{file}:{sheet}" if sheet else file), "workbook_damaged",
                        part=part, detail=detail)


def check_declared_sizes(path: Path, limits: Limits) -> None:
    """Refuse a package whose declared unpacked size is over the limits, before unpacking."""
    packed = max(1, path.stat().st_size)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except LIBRARY_ERRORS as err:
        raise damaged(path.name, "zip", err) from None
    if unpacked > limits.file_size:
        raise InputProblem(Position(path.name), "input_too_large", size=format_size(unpacked),
                           limit=format_size(limits.file_size), setting=SETTING["file_size"])
    if unpacked > limits.expansion * packed:
        raise InputProblem(Position(path.name), "workbook_expansion", packed=format_size(packed),
                           unpacked=format_size(unpacked), ratio=unpacked // packed,
                           limit=limits.expansion, setting=SETTING["expansion"])


def check_parts(path: Path) -> Package:
    """Unpack every part once as a stream (actual sizes and checksums), before openpyxl
    reads any; a damaged part is named by its sheet's title where the workbook says it."""
    found = Package()
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                try:
                    if _unpack(archive, info):
                        found.formulas.add(info.filename)
                except LIBRARY_ERRORS as err:
                    raise damaged(path.name, info.filename, err, _sheet_title(path, info.filename)) from None
    except LIBRARY_ERRORS as err:
        raise damaged(path.name, "zip", err) from None
    return found


def listed_sheets(path: Path) -> dict[str, str]:
    """Part -> title of every sheet the workbook lists, from its own list of sheets (which
    openpyxl reads without touching the sheets themselves; it skips a listed sheet whose
    part is missing without a word)."""
    reader = ExcelReader(str(path), read_only=True)
    reader.read_manifest()
    reader.read_workbook()
    return {rel.target.lstrip("/"): str(sheet.name) for sheet, rel in reader.parser.find_sheets()}


def check_listed_sheets(path: Path) -> None:
    """Refuse a workbook that lists a sheet whose part it does not hold."""
    try:
        listed = listed_sheets(path)
        with zipfile.ZipFile(path) as archive:
            present = set(archive.namelist())
    except LIBRARY_ERRORS as err:
        raise damaged(path.name, "workbook", err) from None
    for part, title in listed.items():
        if part not in present:
            raise damaged(path.name, part, "the sheet's part is missing", title)


def _sheet_title(path: Path, part: str) -> str:
    """The title of the sheet stored in `part` ("" if none)."""
    try:
        return listed_sheets(path).get(part, "")
    except LIBRARY_ERRORS:
        return ""


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Read one part to its end; whether it is a sheet that holds a formula."""
    sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    formula = False
    tail = b""
    with archive.open(info) as stream:
        while block := stream.read(_BLOCK):
            if sheet and not formula:
                formula = _FORMULA.search(tail + block) is not None
                tail = block[-32:]
    return formula


@contextmanager
def opened(path: Path, *, data_only: bool) -> Iterator[Any]:
    """An openpyxl workbook in read-only mode, closed afterwards; errors as messages."""
    try:
        book = load_workbook(path, read_only=True, data_only=data_only)
    except LIBRARY_ERRORS as err:
        raise damaged(path.name, "workbook", err) from None
    try:
        yield book
    finally:
        book.close()
