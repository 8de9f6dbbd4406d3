"""Read stage: a project folder → a :class:`Project` (every file read, nothing resolved).

The project folder holds ``handbook/`` (the source named on the command line),
``forms/`` and ``templates/``. Everything is read and checked against its
schema here, once for all subsidiaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policybook import limits
from policybook.diagnostics import Diagnostics, SourceError
from policybook.model import Attachment, Brand, Chapter, Form, Loc, Meta, Revision, Subsidiary
from policybook.source.brand import read_brand
from policybook.source.forms import read_forms
from policybook.source.markdown import LABEL_RE, read_attachment, read_chapter
from policybook.source.parse_ahead import parse_ahead
from policybook.source.paths import confined, find_source, inside
from policybook.source.schema import Key, check_mapping, entries, pairs, text, texts
from policybook.source.script import HANDBOOK_KEYS, SUBSIDIARY_KEYS, ScriptSettings, handbook_script, subsidiary_script
from policybook.source.yamlfile import LocDict, LocList, load_yaml, scalar_text

LOCALES = ("zh-Hans", "zh-Hant", "en")
NUMBERINGS = ("zh-regulation", "decimal")
RULES = ("fixed", "raise-only", "lower-only")
PROCEDURES = ("required", "optional")  # procedure: required — a release needs its 民主程序 first

HANDBOOK = {
    "title": Key("text", required=True),
    "code": Key("text", required=True),
    "version": Key("text", required=True),
    "effective": Key("text", required=True),
    "locale": Key("text", choices=LOCALES),
    "numbering": Key("any"),
    "group": Key("text", required=True),
    "chapters": Key("texts", required=True),
    "appendices": Key("list"),
    "variables": Key("map"),
    "constraints": Key("map"),
    "revisions": Key("list"),
    "paths": Key("map"),
    "previous": Key("text"),
    "law": Key("map"),  # labour-law checks: waive, variables, jurisdiction (policybook/law/)
    "procedure": Key("text", choices=PROCEDURES),
    "quiz": Key("list"),
    **HANDBOOK_KEYS,
}
NUMBERING = {"style": Key("text", choices=NUMBERINGS), "items": Key("any")}
ITEMS_HINT = "e.g. items: gbt9704, or items: [一、, （一）, 1., （1）] (one sample per level)"
PATHS = {"forms": Key("text"), "templates": Key("text"), "subsidiaries": Key("text")}
APPENDIX = {"form": Key("text"), "file": Key("text"), "label": Key("text"), "when": Key("text")}
REVISION = {"version": Key("text", required=True), "date": Key("text", required=True), "summary": Key("text")}
SUBSIDIARY = {
    "name": Key("text", required=True),
    "short_name": Key("text"),
    "code": Key("text", required=True),
    "brand": Key("text"),
    "locale": Key("text", choices=LOCALES),
    "region": Key("text", choices=("CN", "TW", "HK", "MO", "SG")),
    "tags": Key("texts"),
    "variables": Key("map"),
    "local": Key("map"),
    "exclude": Key("texts"),
    "add": Key("list"),
    "jurisdiction": Key("text"),  # CN, CN-SH, CN-GD-SZ, HK, TW …; default from region
    "law": Key("map"),  # law: {waive: {law.fine: "理由"}}
    **SUBSIDIARY_KEYS,
}
ADDITION = {"file": Key("text", required=True), "after": Key("text")}


@dataclass
class Constraint:
    path: str  # dotted variable path
    rule: str  # fixed | raise-only | lower-only
    loc: Loc


@dataclass
class Addition:
    chapter: Chapter
    after: str  # chapter label, "" = at the end
    loc: Loc


@dataclass
class AppendixSource:
    """One entry of ``appendices:``: a form (by id) or a Markdown document."""

    form_id: str  # "" for a document
    loc: Loc
    when: str = ""
    document: Attachment | None = None

    @property
    def label(self) -> str:
        return self.document.label if self.document else self.form_id


@dataclass
class SubsidiarySource:
    info: Subsidiary
    variables: LocDict
    local: LocDict = field(default_factory=LocDict)  # the subsidiary's own variables (not the group's)
    brand: Brand | None = None
    exclude: list[tuple[str, Loc]] = field(default_factory=list)
    additions: list[Addition] = field(default_factory=list)
    script: ScriptSettings = field(default_factory=ScriptSettings)
    jurisdiction: str = ""  # as written ("" = from region, or none)
    law: LocDict | None = None  # the subsidiary's law: settings (read by policybook/law/)


@dataclass
class Project:
    root: Path  # the project folder (parent of the source folder)
    source: Path  # the folder holding handbook.yaml
    meta: Meta
    chapters: list[Chapter]
    appendices: list[AppendixSource]
    variables: LocDict
    constraints: list[Constraint]
    revisions: list[Revision]
    subsidiaries: dict[str, SubsidiarySource]
    forms: dict[str, Form]
    templates: Path
    files: list[Path] = field(default_factory=list)  # every source file read
    items_loc: Loc | None = None  # where numbering.items was set (the number stage checks the samples)
    script: ScriptSettings = field(default_factory=ScriptSettings)
    # the release this version revises: a folder (relative to the source) or a git revision;
    # "" = none. Articles changed since then are marked 本版修订 where a writer shows it.
    previous: str = ""
    previous_loc: Loc | None = None
    law: LocDict | None = None  # handbook.yaml's law: settings (read by policybook/law/)
    procedure: str = ""  # required | optional | "" (not set): see policybook/procedure/gate.py
    quiz: LocList | None = None  # quiz: questions for the online 签收 (policybook/procedure/quiz.py reads them)


def read_project(arg: str | Path, diags: Diagnostics) -> Project:
    """Read the whole source; raises SourceError if it cannot be used at all."""
    source = find_source(arg)
    root = source.parent
    path = source / "handbook.yaml"
    data = check_mapping(load_yaml(path), HANDBOOK, Loc(str(path), 1), "handbook.yaml", diags)
    if data is None:
        raise SourceError(diags)
    paths = _paths(data, root, source, diags)
    reader = _Reader(root, source, diags)
    project = Project(
        root=root,
        source=source,
        meta=_meta(data, diags),
        chapters=reader.chapters(data),
        appendices=reader.appendices(data),
        variables=_variables(data, path),
        constraints=_constraints(data, diags),
        revisions=_revisions(data, text(data, "version"), diags),
        subsidiaries={},
        forms=read_forms(paths["forms"], diags, root),
        templates=paths["templates"],
        script=handbook_script(data, diags),
        previous=text(data, "previous"),
        previous_loc=data.loc("previous"),
        law=data["law"] if isinstance(data.get("law"), LocDict) else None,
        procedure=text(data, "procedure"),
        quiz=data.get("quiz") if isinstance(data.get("quiz"), LocList) else None,
    )
    project.subsidiaries = reader.subsidiaries(paths["subsidiaries"])
    numbering = data.get("numbering")
    if isinstance(numbering, LocDict) and "items" in numbering:
        project.items_loc = numbering.loc("items")
    _brands(project, diags)
    project.files = [path, *reader.files, *sorted(paths["forms"].glob("*.yaml"))]
    return project


def _brands(project: Project, diags: Diagnostics) -> None:
    """Each subsidiary's brand kit, each kit read once."""
    kits: dict[str, Brand | None] = {}
    for sub in project.subsidiaries.values():
        name = sub.info.brand
        if name not in kits:
            kits[name] = read_brand(project.templates, project.root, name, sub.info.loc, diags)
        sub.brand = kits[name]
        if sub.brand is not None and sub.brand.folder not in map(str, project.files):
            project.files.append(Path(sub.brand.folder) / "brand.yaml")


def _variables(data: LocDict, path: Path) -> LocDict:
    value = data.get("variables")
    return value if isinstance(value, LocDict) else _empty(path)


def _empty(path: Path) -> LocDict:
    result = LocDict()
    result.path, result.line, result.lines = str(path), 0, {}
    return result


def _paths(data: LocDict, root: Path, source: Path, diags: Diagnostics) -> dict[str, Path]:
    given = data.get("paths")
    given = check_mapping(given, PATHS, data.loc("paths"), "paths", diags) if given is not None else LocDict()
    defaults = {"forms": "../forms", "templates": "../templates", "subsidiaries": "subsidiaries"}
    result: dict[str, Path] = {}
    for key, default in defaults.items():
        name = text(given, key, default) if given else default
        loc = given.loc(key) if given else data.loc()
        try:
            result[key] = confined(root, source, name, loc, f"paths.{key}")
        except SourceError as exc:
            diags.extend(exc.diagnostics)
            result[key] = source / default
    return result


def _meta(data: LocDict, diags: Diagnostics) -> Meta:
    locale = text(data, "locale", "zh-Hans")
    style, items = _numbering(data, diags)
    return Meta(
        title=text(data, "title"),
        code=text(data, "code"),
        version=text(data, "version"),
        effective=text(data, "effective"),
        locale=locale,
        numbering=style or ("decimal" if locale == "en" else "zh-regulation"),
        group=text(data, "group"),
        loc=data.loc(),
        items=items,
    )


def _numbering(data: LocDict, diags: Diagnostics) -> tuple[str, tuple[str, ...]]:
    """``numbering: zh-regulation`` or ``numbering: {style: …, items: gbt9704 | [一、, （一）, …]}``."""
    value = data.get("numbering")
    if value is None:
        return "", ()
    if not isinstance(value, LocDict):
        value = LocDict({"style": value})
        value.path, value.line, value.lines = data.loc("numbering").path, data.loc("numbering").line, {}
    checked = check_mapping(value, NUMBERING, data.loc("numbering"), "numbering", diags)
    if checked is None:
        return "", ()
    return text(checked, "style"), _item_samples(checked, diags)


def _item_samples(numbering: LocDict, diags: Diagnostics) -> tuple[str, ...]:
    """A preset name as a 1-tuple, or one sample per level (the number stage reads them)."""
    items = numbering.get("items")
    if items is None:
        return ()
    if isinstance(items, LocList) and items and all(isinstance(x, str | int | float) for x in items):
        # YAML reads an unquoted 1. as the number 1.0: the author wrote "1."
        return tuple(f"{int(x)}." if isinstance(x, float) and x.is_integer() else scalar_text(x) for x in items)
    if isinstance(items, str):
        return (items,)
    diags.error(
        numbering.loc("items"), "'items' must be a preset name or a list of samples", "numbering.items", ITEMS_HINT
    )
    return ()


def _constraints(data: LocDict, diags: Diagnostics) -> list[Constraint]:
    result: list[Constraint] = []
    for key, rule, loc in pairs(data, "constraints"):
        rule_text = scalar_text(rule)
        if rule_text not in RULES:
            diags.error(
                loc,
                f"unknown constraint '{rule_text}' for '{key}'",
                "constraint.rule",
                f"use {', '.join(RULES)}",
            )
            continue
        if _lookup(data.get("variables"), key) is _MISSING:
            diags.error(loc, f"constraint on '{key}', which is not a group variable", "constraint.unknown")
            continue
        result.append(Constraint(key, rule_text, loc))
    return result


_MISSING = object()


def _lookup(variables: Any, dotted: str) -> Any:
    node = variables
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _revisions(data: LocDict, version: str, diags: Diagnostics) -> list[Revision]:
    result: list[Revision] = []
    for entry, loc in entries(data, "revisions"):
        if check_mapping(entry, REVISION, loc, "revision", diags) is not None:
            result.append(Revision(text(entry, "version"), text(entry, "date"), text(entry, "summary"), loc))
    if version and version not in {r.version for r in result}:
        diags.error(
            data.loc("version"),
            f"version {version} has no entry in the revision history",
            "release.no-revision",
            f"add '- {{version: \"{version}\", date: …, summary: …}}' under revisions:",
        )
    return result


class _Reader:
    """Reads chapter and subsidiary files, remembering which files it read."""

    def __init__(self, root: Path, source: Path, diags: Diagnostics) -> None:
        self.root, self.source, self.diags = root, source, diags
        self.files: list[Path] = []
        self.total = 0  # bytes of chapters read
        self.read: dict[Path, Chapter | None] = {}  # a local chapter shared by subsidiaries is read once

    def chapter(self, name: str, loc: Loc) -> Chapter | None:
        path = self._chapter_file(name, loc)
        return self._chapter_at(path, loc) if path is not None else None

    def _chapter_file(self, name: str, loc: Loc) -> Path | None:
        """The file a chapters-list entry names (None, and said why, if it may not be read)."""
        try:
            path = confined(self.root, self.source, name, loc, "chapter file")
        except SourceError as exc:
            self.diags.extend(exc.diagnostics)
            return None
        if not path.is_file():
            self.diags.error(
                loc, f"chapter file '{name}' not found", "source.missing", "check the path in the chapters list"
            )
            return None
        return path

    def _chapter_at(self, path: Path, loc: Loc) -> Chapter | None:
        if path not in self.read:
            self.files.append(path)
            size = path.stat().st_size
            self.total += size if size <= limits.SOURCE_FILE_BYTES else 0  # one too large is read_text's to report
            if self.total > limits.SOURCE_TOTAL_BYTES:
                self.read[path] = None
                self.diags.error(
                    loc,
                    f"the chapters up to this one are too large together ({self.total:,} bytes)",
                    "limit.source-size",
                    f"limit {limits.SOURCE_TOTAL_BYTES:,} bytes",
                )
                return None
            self.read[path] = read_chapter(path, self.diags)
        return self.read[path]

    def appendices(self, data: LocDict) -> list[AppendixSource]:
        result: list[AppendixSource] = []
        for entry, loc in entries(data, "appendices"):
            if isinstance(entry, str):
                result.append(AppendixSource(entry, loc))
            elif check_mapping(entry, APPENDIX, loc, "appendix", self.diags) is not None:
                found = self.appendix(entry, loc)
                if found is not None:
                    result.append(found)
        return result

    def appendix(self, entry: LocDict, loc: Loc) -> AppendixSource | None:
        form, name = text(entry, "form"), text(entry, "file")
        if bool(form) == bool(name):
            self.diags.error(
                loc,
                "an appendix names either a form or a file",
                "appendix.kind",
                "'- form: leave-request' for a form, '- file: appendices/scoring.md' for a document",
            )
            return None
        if form:
            return AppendixSource(form, loc, text(entry, "when"))
        document = self.document(name, entry.loc("file"))
        if document is None:
            return None
        document.label = text(entry, "label") or document.label
        document.when = text(entry, "when") or document.when
        if document.label and not LABEL_RE.match(document.label):
            self.diags.error(entry.loc("label"), f"bad label '{document.label}'", "label.syntax")
        return AppendixSource("", loc, document.when, document)

    def document(self, name: str, loc: Loc) -> Attachment | None:
        try:
            path = confined(self.root, self.source, name, loc, "appendix file")
        except SourceError as exc:
            self.diags.extend(exc.diagnostics)
            return None
        if not path.is_file():
            self.diags.error(
                loc, f"appendix file '{name}' not found", "source.missing", "check the path under appendices:"
            )
            return None
        self.files.append(path)
        return read_attachment(path, self.diags)

    def chapters(self, data: LocDict) -> list[Chapter]:
        names = data.get("chapters")
        if not isinstance(names, LocList):
            return []
        files = [(self._chapter_file(scalar_text(n), names.loc(i)), names.loc(i)) for i, n in enumerate(names)]
        parse_ahead([path for path, _ in files if path is not None])
        found = [self._chapter_at(path, loc) for path, loc in files if path is not None]
        return [c for c in found if c is not None]

    def subsidiaries(self, folder: Path) -> dict[str, SubsidiarySource]:
        result: dict[str, SubsidiarySource] = {}
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            sub = self.subsidiary(path)
            if sub is not None:
                result[sub.info.id] = sub
        if not result:
            self.diags.error(
                Loc(str(folder)), "no subsidiary files found", "source.no-subsidiary", "add subsidiaries/<id>.yaml"
            )
        return result

    def subsidiary(self, path: Path) -> SubsidiarySource | None:
        try:
            inside(self.root, path, Loc(str(path)), f"subsidiary file {path.name}")
            raw = load_yaml(path)
        except SourceError as exc:
            self.diags.extend(exc.diagnostics)
            return None
        self.files.append(path)
        data = check_mapping(raw, SUBSIDIARY, Loc(str(path), 1), f"subsidiary {path.name}", self.diags)
        if data is None:
            return None
        if not LABEL_RE.match(path.stem) or len(path.stem) > limits.NAME_BYTES // 2:
            self.diags.error(
                Loc(str(path)),
                f"bad subsidiary id '{path.stem}'",
                "subsidiary.id",
                "name the file with letters, digits, - or _ (at most 100)",
            )
        info = Subsidiary(
            id=path.stem,
            name=text(data, "name"),
            short_name=text(data, "short_name") or text(data, "name"),
            code=text(data, "code"),
            brand=text(data, "brand"),
            locale=text(data, "locale"),
            tags=texts(data, "tags"),
            loc=data.loc(),
            region=text(data, "region"),
        )
        variables = data["variables"] if isinstance(data.get("variables"), LocDict) else _empty(path)
        local = data["local"] if isinstance(data.get("local"), LocDict) else _empty(path)
        exclude = data.get("exclude")
        excluded = (
            [(scalar_text(x), exclude.loc(i)) for i, x in enumerate(exclude)] if isinstance(exclude, LocList) else []
        )
        additions = self.additions(data)
        law = data["law"] if isinstance(data.get("law"), LocDict) else None
        return SubsidiarySource(
            info,
            variables,
            local,
            exclude=excluded,
            additions=additions,
            script=subsidiary_script(data),
            jurisdiction=text(data, "jurisdiction"),
            law=law,
        )

    def additions(self, data: LocDict) -> list[Addition]:
        result: list[Addition] = []
        for entry, loc in entries(data, "add"):
            if check_mapping(entry, ADDITION, loc, "add entry", self.diags) is None:
                continue
            chapter = self.chapter(text(entry, "file"), entry.loc("file"))
            if chapter is not None:
                result.append(Addition(chapter, text(entry, "after"), loc))
        return result
