"""One exception hierarchy for qagraph; the CLI and the web map it to exit codes and
HTTP statuses in one place each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .messages import message


class _ResultLike(Protocol):
    def text(self, lang: str | None = None) -> str: ...


class ValidationReportLike(Protocol):
    @property
    def violations(self) -> Sequence[_ResultLike]: ...

    @property
    def warnings(self) -> Sequence[_ResultLike]: ...


class QagraphError(Exception):
    """A user-facing error: bad input, bad parameters. CLI exit code 2, HTTP 400."""

    exit_code = 2
    http_status = 400

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(message(key, "en", **values))

    def text(self, lang: str | None = None) -> str:
        """The message in `lang`."""
        return message(self.key, lang, **self.values)

    def details(self, lang: str | None = None) -> list[str]:
        """Further lines (one per problem) shown under the message."""
        return []


class InputError(QagraphError):
    """A file or parameter that cannot be used as given."""


class AmbiguousName(InputError):
    """A typed name that matches several things; each is listed under the message."""

    def __init__(self, text: str, matches: list[str]) -> None:
        super().__init__("name_several", text=text)
        self.matches = matches

    def details(self, lang: str | None = None) -> list[str]:
        return self.matches


@dataclass
class Position:
    """Where a problem is: a file and, where known, a line and column."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class InputProblem(InputError):
    """A problem at a place in an input file, `file:line:column: message`; the message key
    gets the place as `where`."""

    def __init__(self, position: Position, key: str, **values: object) -> None:
        self.position = position
        super().__init__(key, where=str(position), **values)


class ParseError(InputProblem):
    """A syntax error in an input file, with its position; `detail` is the parser's text."""

    def __init__(self, position: Position, detail: str) -> None:
        self.detail = detail
        super().__init__(position, "parse_error", detail=detail)


@dataclass
class CellProblem:
    """One bad cell of a table: file:sheet:row:column: message."""

    file: str
    sheet: str
    row: int
    column: str
    text_en: str
    text_sv: str

    def text(self, lang: str | None = None) -> str:
        body = self.text_sv if (lang or "sv").startswith("sv") else self.text_en
        return f"{self.place()}: {body}"

    def place(self) -> str:
        return f"{self.file}:{self.sheet}:{self.row}:{self.column}"

    @classmethod
    def of(cls, file: str, sheet: str, row: int, column: str, key: str, /,
           **values: object) -> CellProblem:
        """A problem whose text is catalogue message `key` in both languages."""
        return cls(file, sheet, row, column, message(key, "en", **values), message(key, "sv", **values))


class TableErrors(InputError):
    """Every bad cell of a table load, reported at once."""

    def __init__(self, problems: list[CellProblem]) -> None:
        self.problems = problems
        super().__init__("table_errors", count=len(problems))

    def details(self, lang: str | None = None) -> list[str]:
        return [p.text(lang) for p in self.problems]


class ViolationsFound(QagraphError):
    """Staged data breaks shapes; nothing was committed. CLI exit code 1, HTTP 422."""

    exit_code = 1
    http_status = 422

    def __init__(self, report: ValidationReportLike) -> None:
        self.report = report
        super().__init__("violations_found", count=len(report.violations))

    def details(self, lang: str | None = None) -> list[str]:
        # the warnings too: a suggestion ("did you mean …") often explains a violation
        return [r.text(lang) for r in (*self.report.violations, *self.report.warnings)]


# -- the SPARQL endpoint (core/sparql_guard.py, core/sparql_pool.py) --------------------


class QuerySyntaxError(QagraphError):
    """The parser's message, as is (HTTP 400)."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__("sparql_syntax", detail=detail)


class ServiceRefused(QagraphError):
    def __init__(self) -> None:
        super().__init__("sparql_service")


class LoadRefused(QagraphError):
    def __init__(self) -> None:
        super().__init__("sparql_load")


class QueryTimeout(QagraphError):
    """The query ran past the time limit and was stopped (HTTP 503)."""

    http_status = 503

    def __init__(self, limit: float) -> None:
        super().__init__("sparql_timeout", limit=f"{limit:g}")


class QueryBusy(QagraphError):
    """No worker for this request now (HTTP 503 with Retry-After)."""

    http_status = 503

    def __init__(self, retry_after: int, client_limit: int | None = None,
                 reserve_limit: float | None = None) -> None:
        self.retry_after = retry_after
        if client_limit is not None:
            super().__init__("sparql_client_busy", limit=client_limit)
        elif reserve_limit is not None:
            # It ran on the reserve worker (the others were busy) and outlasted its short limit.
            super().__init__("sparql_busy_reserve", seconds=f"{reserve_limit:g}")
        else:
            super().__init__("sparql_busy")


class QueryFailed(QagraphError):
    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__("sparql_failed", detail=detail)


class SandboxMissing(QagraphError):
    http_status = 503

    def __init__(self, detail: str) -> None:
        super().__init__("sparql_sandbox", detail=detail)


class ResultNotAcceptable(QagraphError):
    """The client accepts no format this kind of result comes in (HTTP 406)."""

    http_status = 406

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__("sparql_not_acceptable", kind=kind)


# -- curation (core/curation.py) and the remote store (core/remote.py) -----------------


class CurationRefused(QagraphError):
    """The action is not allowed for this curator (HTTP 403)."""

    http_status = 403


class RemoteStoreError(QagraphError):
    """The server could not be reached, or refused a request (HTTP 502)."""

    http_status = 502


class RemoteIncomplete(RemoteStoreError):
    """The server cut its answer short at a limit of its own and said so (HTTP 503)."""

    http_status = 503

    def __init__(self, url: str) -> None:
        super().__init__("store_incomplete", url=url)


class RemoteTimeout(RemoteStoreError):
    http_status = 503

    def __init__(self, limit: float) -> None:
        super().__init__("store_timeout", limit=f"{limit:g}")
