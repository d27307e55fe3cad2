"""Reading a framework file (docs/frameworks.md) and loading it as a new version: all of it, or nothing.

The file is YAML, read with ruamel.yaml, which keeps each value's line and refuses a key given twice in one
mapping; its shape is checked with pydantic, then the rules pydantic cannot see (ids given twice, a criterion
naming an area the file does not have). Every problem is reported with the line it is on.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from tracker import audit
from tracker.extensions import db
from tracker.frameworks.models import Criterion, EvaluationArea, Framework
from tracker.text import counted

MAX_FILE_BYTES = 1_000_000
SHIPPED = Path(__file__).parent / "area-send-2023.yaml"  # the framework the project ships
Text = Field(min_length=1)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SourceFile(_Shape):
    title: str = Text
    publisher: str = Text
    date: str = Text


class OutcomeFile(_Shape):
    key: str = Field(min_length=1, max_length=40)
    title: str = Text
    statement: str = Text


class AreaFile(_Shape):
    key: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=300)
    description: str = ""


class CriterionFile(_Shape):
    key: str = Field(min_length=1, max_length=40)
    area: str = Text
    title: str = Field(min_length=1, max_length=300)
    wording: str = Text
    guidance: str = ""


class FrameworkFile(_Shape):
    key: str = Field(min_length=1, max_length=80)
    version: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=300)
    published_on: date | None = None
    source: SourceFile
    source_url: str = Field(default="", max_length=500)
    wording_note: str = Text
    outcomes: list[OutcomeFile] = []
    areas: list[AreaFile] = Field(min_length=1)
    criteria: list[CriterionFile] = Field(min_length=1)


class FrameworkFileError(Exception):
    """A framework file that cannot be loaded: the line (1 for the file as a whole) and the reason."""

    def __init__(self, line: int, reason: str, more: int = 0):
        super().__init__(reason)
        self.line, self.reason, self.more = line, reason, more

    def line_for(self, name: str) -> str:
        """`FILE:LINE: reason`, the one line the command prints."""
        more = f" (and {counted(self.more, 'more problem')})" if self.more else ""
        return f"{name}:{self.line}: {self.reason}{more}"


@dataclass(frozen=True)
class Loaded:
    framework: Framework
    created: bool  # False: the same file was already loaded, and nothing changed

    def line(self) -> str:
        counts = f"{len(self.framework.areas)} evaluation areas, {len(self.framework.criteria)} criteria"
        if self.created:
            return f"Loaded {self.framework.label}: {counts}."
        return f"{self.framework.label} is already loaded from this same file: nothing changed ({counts})."


def read_framework(content: bytes) -> FrameworkFile:
    """The file's framework, or FrameworkFileError with the first problem's line
    (and how many more there are)."""
    if len(content) > MAX_FILE_BYTES:
        raise FrameworkFileError(
            1, f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB; a framework is far smaller"
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise FrameworkFileError(line, "the file is not UTF-8 text") from None
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        document = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or "not valid YAML"
        if "duplicate key" in reason.lower():
            key = str(error.problem).split('"')[1] if '"' in str(error.problem) else ""
            reason = (
                f"'{key}' is given twice in the same mapping"
                if key
                else "a key is given twice in the same mapping"
            )
        raise FrameworkFileError(
            (mark.line + 1) if mark else 1, f"not valid YAML: {reason}" if "twice" not in reason else reason
        ) from None
    except YAMLError as error:
        raise FrameworkFileError(1, f"not valid YAML: {error}") from None
    if not isinstance(document, CommentedMap):
        raise FrameworkFileError(
            1, "the file must be a mapping of fields (key, version, name, ...), as docs/frameworks.md shows"
        )
    try:
        shape = FrameworkFile.model_validate(_plain(document))
    except ValidationError as error:
        problems = sorted(
            (_line_of(document, problem["loc"]), _reason(problem)) for problem in error.errors()
        )
        raise FrameworkFileError(*problems[0], more=len(problems) - 1) from None
    _check_ids(document, shape)
    return shape


def _plain(node: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists, for pydantic."""
    if isinstance(node, dict):
        return {str(key) if not isinstance(key, str) else key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, str):
        return str(node)
    return node


def _line_of(document: CommentedMap, loc: tuple) -> int:
    """The line (1-based) that a problem at `loc` (pydantic's path) is on: the value's own line when it is
    there, else the line of the nearest mapping or list item that holds it."""
    node, line = document, 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = (
                node.lc.value(part)[0] + 1
                if not isinstance(node[part], (CommentedMap, CommentedSeq))
                else node.lc.key(part)[0] + 1
            )
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            if isinstance(node, (CommentedMap, CommentedSeq)) and line == 1:
                line = node.lc.line + 1
            break
    return line


FIELD_TYPES = {
    "string_type": "text",
    "list_type": "a list",
    "model_type": "a mapping of fields",
    "date_type": "a date",
    "date_from_datetime_parsing": "a date like 2025-07-01",
    "date_parsing": "a date like 2025-07-01",
}


def _reason(problem: Mapping[str, Any]) -> str:
    loc = list(problem["loc"])
    name = str(loc[-1]) if loc and not isinstance(loc[-1], int) else "this item"
    where = " ".join(f"item {part + 1}" if isinstance(part, int) else str(part) for part in loc[:-1])
    within = f" in {where}" if where else ""
    kind = problem["type"]
    if kind == "missing":
        return f"'{name}' is missing{within}"
    if kind == "extra_forbidden":
        return f"'{name}'{within} is not a field of a framework file (docs/frameworks.md lists them)"
    if kind in FIELD_TYPES:
        return f"'{name}'{within} must be {FIELD_TYPES[kind]}, not {_shown(problem.get('input'))}"
    if kind == "string_too_short":
        return f"'{name}'{within} is empty"
    if kind == "too_short":
        return f"'{name}'{within} must list at least one"
    if kind == "string_too_long":
        return f"'{name}'{within} is longer than {problem['ctx']['max_length']} characters"
    return f"'{name}'{within}: {problem['msg']}"


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value) if len(repr(value)) < 40 else type(value).__name__


def _check_ids(document: CommentedMap, shape: FrameworkFile) -> None:
    """Keys unique within their list, and every criterion's area one the file has."""
    problems = []
    for list_name in ("outcomes", "areas", "criteria"):
        seen: dict[str, int] = {}
        for index, item in enumerate(getattr(shape, list_name)):
            line = _line_of(document, (list_name, index, "key"))
            if item.key in seen:
                problems.append(
                    (line, f"{list_name} key '{item.key}' is given twice (first on line {seen[item.key]})")
                )
            else:
                seen[item.key] = line
    areas = {area.key for area in shape.areas}
    for index, criterion in enumerate(shape.criteria):
        if criterion.area not in areas:
            problems.append(
                (
                    _line_of(document, ("criteria", index, "area")),
                    f"criterion {criterion.key} names area '{criterion.area}', which the file's areas do "
                    f"not have ({', '.join(sorted(areas))})",
                )
            )
    if problems:
        problems.sort()
        raise FrameworkFileError(*problems[0], more=len(problems) - 1)


def load_framework_file(path: Path, actor=None) -> Loaded:
    """Load the framework file at `path` (see load_framework)."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise FrameworkFileError(1, f"the file cannot be read: {error.strerror or error}") from None
    return load_framework(content, actor)


def load_framework(content: bytes, actor=None, commit: bool = True) -> Loaded:
    """Load a framework file's contents as a new version, with its areas and criteria, all or nothing.

    The same file again (the same key, version and bytes) changes nothing. A different file with a key and
    version already loaded is refused: a framework that changed is a new version, so links and
    self-evaluations made against the old wording keep it.
    """
    shape = read_framework(content)
    digest = hashlib.sha256(content).hexdigest()
    existing = db.session.scalar(
        sa.select(Framework).where(Framework.key == shape.key, Framework.version == shape.version)
    )
    if existing is not None:
        if existing.file_sha256 == digest:
            return Loaded(existing, created=False)
        line = _line_of(YAML(typ="rt").load(content.decode("utf-8-sig")), ("version",))
        raise FrameworkFileError(
            line,
            f"{shape.key} version {shape.version} is already loaded from a different file; "
            "a changed framework must be a new version (change 'version')",
        )
    source = shape.source
    framework = Framework(
        key=shape.key,
        version=shape.version,
        name=shape.name,
        published_on=shape.published_on,
        source=f"{source.title}, {source.publisher}, {source.date}",
        source_url=shape.source_url,
        wording_note=shape.wording_note,
        file_sha256=digest,
        outcomes=[outcome.model_dump() for outcome in shape.outcomes],
    )
    db.session.add(framework)
    areas = {}
    for position, area in enumerate(shape.areas):
        areas[area.key] = EvaluationArea(
            framework=framework,
            key=area.key,
            title=area.title,
            description=area.description,
            position=position,
        )
        db.session.add(areas[area.key])
    for position, criterion in enumerate(shape.criteria):
        db.session.add(
            Criterion(
                framework=framework,
                area=areas[criterion.area],
                key=criterion.key,
                title=criterion.title,
                wording=criterion.wording,
                guidance=criterion.guidance,
                position=position,
            )
        )
    db.session.flush()
    audit.record(
        actor,
        "framework.loaded",
        framework,
        after={
            "key": shape.key,
            "version": shape.version,
            "name": shape.name,
            "file_sha256": digest,
            "areas": [area.key for area in shape.areas],
            "criteria": [criterion.key for criterion in shape.criteria],
        },
    )
    for made_area in framework.areas:
        audit.record(
            actor,
            "evaluation_area.created",
            made_area,
            after={"framework": framework.label, "key": made_area.key, "title": made_area.title},
        )
    for made in framework.criteria:
        audit.record(
            actor,
            "criterion.created",
            made,
            after={
                "framework": framework.label,
                "area": made.area.key,
                "key": made.key,
                "title": made.title,
                "wording": made.wording,
            },
        )
    if commit:
        db.session.commit()
    return Loaded(framework, created=True)
