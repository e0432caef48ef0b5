"""The result of one document: the public contract of ../shared/spec/result-json.md.

Fields may be added; none may be renamed or dropped.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DocumentKind = Literal["text", "scan", "mixed", "image", "html", "docx"]
CellSource = Literal["text", "ocr", "html", "docx", "review"]
Blame = Literal["source", "extraction", "unknown"]
Status = Literal["ok", "needs_review", "reviewed", "failed"]
Number = int | float


class DocumentInfo(BaseModel):
    path: str
    sha256: str
    pages: int = 0
    kind: DocumentKind | None = None


class ReportInfo(BaseModel):
    agency: str | None = None
    year: int | None = None
    format: Literal["2019", "2021"] | None = None


class Cell(BaseModel):
    key: str
    value: Number | None
    raw: str = ""
    confidence: float = Field(ge=0.0, le=1.0)
    flagged: bool = False
    reasons: list[str] = Field(default_factory=list)
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    source: CellSource = "text"
    suggested: Number | None = Field(
        default=None,
        description="A value that alone would satisfy every failed rule; never applied to `value`.",
    )

    def flag(self, reason: str) -> None:
        """Mark the cell for a person's look, keeping every distinct reason once."""
        self.flagged = True
        if reason not in self.reasons:
            self.reasons.append(reason)


class Check(BaseModel):
    rule: str
    scope: str
    ok: bool
    expected: Number | None
    actual: Number | None
    keys: list[str]
    blame: Blame | None = None


class DocumentResult(BaseModel):
    document: DocumentInfo
    report: ReportInfo = Field(default_factory=ReportInfo)
    status: Status
    error: str | None = None
    cells: list[Cell] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    warnings: list[str] = Field(
        default_factory=list, description="Notes for a person that are not about one cell."
    )
    timings: dict[str, float] = Field(
        default_factory=dict, description="Seconds spent per pipeline stage."
    )

    def cell_map(self) -> dict[str, Cell]:
        return {c.key: c for c in self.cells}

    @property
    def flagged_count(self) -> int:
        return sum(1 for c in self.cells if c.flagged)

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]
