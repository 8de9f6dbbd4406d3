"""Read stage: ``forms/<id>.yaml`` → ``Form`` nodes (text still templates)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from policybook import limits
from policybook.diagnostics import Diagnostics, SourceError
from policybook.model import FIELD_TYPES, Form, FormCell, FormRow, Loc
from policybook.source.markdown import LABEL_RE
from policybook.source.paths import inside
from policybook.source.schema import Key, check_mapping, text, texts
from policybook.source.yamlfile import LocDict, LocList, load_yaml

FORM = {
    "id": Key("text", required=True),
    "code": Key("text", required=True),
    "title": Key("text", required=True),
    "version": Key("text", required=True),
    "paper": Key("text", choices=("A4", "A5", "A4-landscape")),
    "intro": Key("text"),
    "notes": Key("texts"),
    "rows": Key("list", required=True),
}
CELL = {
    "label": Key("text"),
    "name": Key("text"),
    "type": Key("text", required=True),
    "span": Key("int"),
    "lines": Key("int"),
    "options": Key("texts"),
    "text": Key("text"),
    "when": Key("text"),
}
SECTION = {"section": Key("text", required=True), "when": Key("text")}
ROW = {"cells": Key("list", required=True), "when": Key("text")}
NEEDS_OPTIONS = ("checkbox", "choice")


def read_forms(folder: Path, diags: Diagnostics, root: Path | None = None) -> dict[str, Form]:
    """Every ``*.yaml`` form in ``folder``; one that is a link out of ``root`` is refused."""
    forms: dict[str, Form] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            inside(root or folder, path, Loc(str(path)), f"form file {path.name}")
        except SourceError as exc:
            diags.extend(exc.diagnostics)
            continue
        form = read_form(path, diags)
        if form is not None:
            forms[form.id] = form
    return forms


def read_form(path: Path, diags: Diagnostics) -> Form | None:
    try:
        data = load_yaml(path)
    except SourceError as exc:
        diags.extend(exc.diagnostics)
        return None
    data = check_mapping(data, FORM, Loc(str(path), 1), f"form {path.name}", diags)
    if data is None or not isinstance(data.get("rows"), LocList):
        return None
    form_id = text(data, "id")
    if form_id != path.stem:
        diags.error(data.loc("id"), f"form id '{form_id}' differs from its file name '{path.stem}'", "form.id")
    if not LABEL_RE.match(form_id):
        diags.error(data.loc("id"), f"bad form id '{form_id}'", "form.id", "a letter then letters, digits, - or _")
    rows = [r for i, raw in enumerate(data["rows"]) if (r := _row(raw, data["rows"].loc(i), diags))]
    _check_names(rows, diags)
    return Form(
        id=form_id,
        code=text(data, "code"),
        title=text(data, "title"),
        version=text(data, "version"),
        paper=text(data, "paper", "A4"),
        rows=rows,
        loc=data.loc(),
        intro=text(data, "intro"),
        notes=texts(data, "notes"),
        locs=_text_locs(data),
    )


def _text_locs(data: Any) -> dict[str, Loc]:
    """The lines of the form's own texts, so a warning about one names its line (not line 1)."""
    locs = {key: data.loc(key) for key in ("title", "intro", "notes") if key in data}
    notes = data.get("notes")
    if isinstance(notes, LocList):
        locs.update({f"notes.{i}": notes.loc(i) for i in range(len(notes))})
    return locs


def _row(raw: Any, loc: Loc, diags: Diagnostics) -> FormRow | None:
    if isinstance(raw, LocDict) and "section" in raw:
        data = check_mapping(raw, SECTION, loc, "form section", diags)
        return FormRow(cells=[], loc=loc, section=text(raw, "section"), when=text(raw, "when")) if data else None
    when = ""
    if isinstance(raw, LocDict):
        if check_mapping(raw, ROW, loc, "form row", diags) is None or not isinstance(raw.get("cells"), LocList):
            return None
        when, raw = text(raw, "when"), raw["cells"]
    if not isinstance(raw, LocList) or not raw:
        diags.error(loc, "a form row is a list of cells or a {section: …} bar", "form.row")
        return None
    cells = [c for i, item in enumerate(raw) if (c := _cell(item, raw.loc(i), diags))]
    return FormRow(cells=cells, loc=loc, when=when)


def _cell(raw: Any, loc: Loc, diags: Diagnostics) -> FormCell | None:
    data = check_mapping(raw, CELL, loc, "form cell", diags)
    if data is None:
        return None
    kind = text(data, "type")
    if kind not in FIELD_TYPES:
        diags.error(
            data.loc("type"), f"unknown field type '{kind}'", "form.field-type", f"use one of {', '.join(FIELD_TYPES)}"
        )
        return None
    cell = FormCell(
        type=kind,
        loc=data.loc(),
        label=text(data, "label"),
        name=text(data, "name"),
        span=data.get("span", 1) if isinstance(data.get("span"), int) else 1,
        lines=data.get("lines", 1) if isinstance(data.get("lines"), int) else 1,
        options=texts(data, "options"),
        text=text(data, "text"),
        when=text(data, "when"),
    )
    _check_cell(cell, diags)
    return cell


def _check_cell(cell: FormCell, diags: Diagnostics) -> None:
    if cell.type != "static" and not cell.name:
        diags.error(cell.loc, f"a {cell.type} field needs a 'name'", "form.field-name")
    if cell.name and not (cell.name.isascii() and cell.name.replace("_", "a").isalnum()):
        diags.error(cell.loc, f"bad field name '{cell.name}'", "form.field-name", "use ASCII letters, digits and _")
    if cell.type in NEEDS_OPTIONS and not cell.options:
        diags.error(cell.loc, f"a {cell.type} field needs 'options'", "form.options")
    if len(set(cell.options)) != len(cell.options):
        diags.error(cell.loc, f"field '{cell.name}' lists an option twice", "form.options")
    if cell.span < 1 or cell.lines < 1:
        diags.error(cell.loc, "'span' and 'lines' must be 1 or more", "form.size")
    if cell.span > limits.FORM_SPAN or cell.lines > limits.FORM_LINES:
        diags.error(
            cell.loc,
            f"'span' {cell.span} or 'lines' {cell.lines} is larger than a page holds",
            "limit.form-size",
            f"at most span {limits.FORM_SPAN}, lines {limits.FORM_LINES}",
        )


def _check_names(rows: list[FormRow], diags: Diagnostics) -> None:
    seen: dict[str, Loc] = {}
    for cell in (c for row in rows for c in row.cells if c.name):
        if cell.name in seen:
            first = seen[cell.name]
            diags.error(
                cell.loc, f"duplicate field name '{cell.name}' (first at line {first.line})", "form.duplicate-field"
            )
        seen.setdefault(cell.name, cell.loc)
