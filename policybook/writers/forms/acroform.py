"""Write stage (forms): AcroForm fields on top of the typeset form, or values drawn flat.

Field names — the contract with CSV files and other tools:

- ``text``, ``number``, ``serial``, ``multiline``: one text field, named as in the
  form YAML; a number field has Acrobat keystroke/format actions (AFNumber_*);
- ``date``: three text fields over the printed ``__年__月__日`` blanks,
  ``<name>.y``, ``<name>.m``, ``<name>.d`` (digits only); CSV files and
  :func:`read_values` use one ``<name>`` value, ``2026-12-03``;
- ``signature``: ``<name>`` (text: who signs) and the date ``<name>_date`` (as above);
- ``checkbox`` group: one checkbox field per option, ``<name>.1``, ``<name>.2`` …
  (1-based, option order), each with the on-state (export value) ``/Yes``;
- ``choice``: one radio-button field ``<name>`` with a widget per option, on-states
  ``/1``, ``/2`` … (1-based, option order).

State names are ASCII because pdf.js and Chrome corrupt non-ASCII ones when they
save; the Chinese option text is each widget's tooltip (/TU). Tooltips carry
the label once.

What a user types is drawn by the viewer with the /DA font, a standard CJK CID
font reference (pdffont.add_standard_font); what policybook draws (filled
values) uses an embedded cut of only the characters used (cjkfont.py), in
appearance streams we draw ourselves (appearance.py); NeedAppearances is never
set. Flattening draws the same appearances into the page content and adds no
widgets at all, so nothing shows twice.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

from policybook.dates import WRITTEN_RE
from policybook.model import Form
from policybook.writers.forms import appearance as ap
from policybook.writers.forms.cjkfont import CutFont
from policybook.writers.forms.pdffont import add_font, add_standard_font
from policybook.writers.forms.typeset import WORDS, Box

FONT_RES = "/PBF"  # the embedded cut: values policybook draws
TYPED_RES = "/PBS"  # the standard CJK font: what a user types
TEXT_SIZE = 10.0
PART_SIZE = 9.0  # year/month/day digits in their short blanks
FF_MULTILINE, FF_NO_TOGGLE_OFF, FF_RADIO = 1 << 12, 1 << 14, 1 << 15
ON = NameObject("/Yes")
OFF = NameObject("/Off")
DATE_PARTS = (("y", "year", 4, (1900, 2199)), ("m", "month", 2, (1, 12)), ("d", "day", 2, (1, 31)))
NUMBER_KEYS = 'AFNumber_Keystroke(2, 0, 0, 0, "", true);'
Value = str | list[str]


@dataclass
class FieldSpec:
    """One form field as the layout placed it (a date or a checkbox group is several PDF fields)."""

    name: str
    kind: str  # text | multiline | number | date | checkbox | radio
    tooltip: str
    boxes: list[Box]  # one box; date: the year, month, day blanks; options: one per option
    options: list[str] = field(default_factory=list)
    lines: int = 1
    label: str = ""  # the label printed on the form (CSV headers may use it)


def field_specs(form: Form, boxes: list[Box], locale: str) -> list[FieldSpec]:
    """The fields of ``form``, placed where the layout left their markers (first copy only)."""
    at: dict[str, Box] = {}
    for box in boxes:
        at.setdefault(box.name, box)
    words = WORDS.get(locale, WORDS["zh-Hans"])
    specs: list[FieldSpec] = []
    for cell in form.fields():
        label = cell.label or cell.name
        if cell.type in ("checkbox", "choice"):
            kind = "checkbox" if cell.type == "checkbox" else "radio"
            kids = [at[f"{cell.name}.{i}"] for i in range(1, len(cell.options) + 1)]
            specs.append(FieldSpec(cell.name, kind, label, kids, list(cell.options), label=label))
        elif cell.type == "signature":
            signer = label if label.endswith(words["sign"]) else label + words["sign"]
            specs.append(FieldSpec(cell.name, "text", signer, [at[cell.name]], label=signer))
            specs.append(_date(f"{cell.name}_date", signer + words["date"], at))
        elif cell.type == "date":
            specs.append(_date(cell.name, label, at))
        else:
            kind = cell.type if cell.type in ("multiline", "number") else "text"
            specs.append(FieldSpec(cell.name, kind, label, [at[cell.name]], lines=cell.lines, label=label))
    return specs


def _date(name: str, label: str, at: dict[str, Box]) -> FieldSpec:
    return FieldSpec(name, "date", label, [at[f"{name}/{part}"] for part in "ymd"], label=label)


def date_parts(value: str) -> tuple[str, str, str] | None:
    """``2026-12-03`` / ``2026年12月3日`` → ("2026", "12", "3"); None if it is not a date."""
    match = WRITTEN_RE.match(value)
    if not match:
        return None
    year, month, day = match.groups()
    return year, month.lstrip("0") or "0", day.lstrip("0") or "0"


def render(
    pdf: bytes,
    specs: list[FieldSpec],
    values: Mapping[str, Value],
    font: CutFont | None,
    color: tuple[float, float, float],
    flatten: bool = False,
    locale: str = "zh-Hans",
    small: dict[str, float] | None = None,
) -> bytes:
    """The typeset form with fillable fields (or, flattened, with values printed).

    ``small`` receives the fields whose value had to be set below appearance.MIN_SIZE."""
    sheet = _Sheet(pdf, font, color, WORDS.get(locale, WORDS["zh-Hans"]))
    for spec in specs:
        if flatten:
            sheet.draw(spec, values.get(spec.name))
        else:
            sheet.fields.extend(sheet.field(spec, values.get(spec.name)))
    if small is not None:
        small.update(sheet.small)
    return sheet.finish(flatten)


def render_merged(
    pdf: bytes,
    specs: list[FieldSpec],
    rows: list[Mapping[str, Value]],
    font: CutFont | None,
    color: tuple[float, float, float],
    locale: str = "zh-Hans",
    small: list[dict[str, float]] | None = None,
) -> bytes:
    """One print-ready PDF: a flattened copy of the form per row. Every copy shares the
    form's page content and fonts, and the values share one font cut. ``small``: as
    :func:`render`, one dictionary per row."""
    sheet = _Sheet(pdf, font, color, WORDS.get(locale, WORDS["zh-Hans"]))
    for index, values in enumerate(rows):
        if index:
            sheet.add_copy()
        sheet.small = {}
        for spec in specs:
            sheet.draw(spec, values.get(spec.name))
        if small is not None:
            small.append(sheet.small)
    return sheet.finish(flatten=True)


def read_values(pdf: bytes, specs: list[FieldSpec]) -> dict[str, Value]:
    """The values of a filled form (ours, or saved by a viewer), keyed like a CSV row."""
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    raw = {name: str(entry.get("/V", "")).lstrip("/") for name, entry in fields.items()}
    return from_fields(raw, specs)


def to_fields(values: Mapping[str, Value], specs: list[FieldSpec]) -> dict[str, str | bool]:
    """CSV-style values → what each PDF field holds: text, a date part, ticked or not, a radio state."""
    out: dict[str, str | bool] = {}
    for spec in specs:
        value = values.get(spec.name)
        if spec.kind == "checkbox":
            out.update({f"{spec.name}.{i}": o in _as_list(value) for i, o in enumerate(spec.options, 1)})
        elif spec.kind == "radio" and value in spec.options:
            out[spec.name] = str(spec.options.index(str(value)) + 1)
        elif spec.kind == "date" and isinstance(value, str):
            out.update(zip((f"{spec.name}.{p}" for p, *_ in DATE_PARTS), date_parts(value) or (), strict=False))
        elif isinstance(value, str) and spec.kind != "radio":
            out[spec.name] = value
    return out


def from_fields(fields: Mapping[str, str | bool], specs: list[FieldSpec]) -> dict[str, Value]:
    """The reverse of :func:`to_fields`: PDF field values (full names; states without "/") → CSV-style."""

    def text(name: str) -> str:
        value = fields.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    out: dict[str, Value] = {}
    for spec in specs:
        if spec.kind == "checkbox":
            out[spec.name] = [o for i, o in enumerate(spec.options, 1) if _ticked(fields.get(f"{spec.name}.{i}"))]
        elif spec.kind == "radio":
            state = text(spec.name)
            ok = state.isdigit() and 0 < int(state) <= len(spec.options)
            out[spec.name] = spec.options[int(state) - 1] if ok else ""
        elif spec.kind == "date":
            out[spec.name] = _joined_date(*(text(f"{spec.name}.{p}") for p, *_ in DATE_PARTS))
        else:
            out[spec.name] = text(spec.name)
    return out


def _ticked(value: str | bool | None) -> bool:
    return value if isinstance(value, bool) else value not in (None, "", "Off", "/Off")


def _joined_date(year: str, month: str, day: str) -> str:
    if year.isdigit() and month.isdigit() and day.isdigit():
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    return "-".join(part for part in (year, month, day) if part)


class _Sheet:
    """The PDF being written: widgets, appearance streams and the fonts."""

    def __init__(
        self, pdf: bytes, font: CutFont | None, color: tuple[float, float, float], words: dict[str, str]
    ) -> None:
        self.writer = PdfWriter(clone_from=_reader(pdf))
        self.font = font
        self.color = color
        self.words = words
        self.pen = ap.Pen(font, FONT_RES, TEXT_SIZE, color) if font else None
        self.fields: list[IndirectObject] = []
        self.flat: dict[int, list[str]] = {}  # page index → content drawn flat
        self.sheet_pages = len(self.writer.pages)  # pages of one copy of the form
        self.offset = 0  # index of the current copy's first page
        self._blank = [_copy_resources(page.get("/Resources")) for page in self.writer.pages]  # nothing drawn yet
        self._font_ref: IndirectObject | None = None
        self.small: dict[str, float] = {}  # field → the size (< ap.MIN_SIZE) its value had to be set in

    @property
    def font_ref(self) -> IndirectObject:
        if self._font_ref is None:
            assert self.font is not None, "a value is drawn only with a cut of its characters"
            self._font_ref = add_font(self.writer, self.font)
        return self._font_ref

    # ------------------------------------------------------------ fillable

    def field(self, spec: FieldSpec, value: Value | None) -> list[IndirectObject]:
        if spec.kind == "checkbox":
            return self._checkboxes(spec, _as_list(value))
        if spec.kind == "radio":
            return [self._radio(spec, value if isinstance(value, str) else "")]
        if spec.kind == "date":
            return [self._date(spec, value if isinstance(value, str) else "")]
        return [self._text(spec, value if isinstance(value, str) else "")]

    def _text(self, spec: FieldSpec, value: str) -> IndirectObject:
        box = spec.boxes[0]
        widget = self._text_widget(box, spec.name, spec.tooltip, self._text_ap(spec, value))
        widget[NameObject("/Ff")] = NumberObject(FF_MULTILINE if spec.kind == "multiline" else 0)
        if spec.kind == "number":
            widget[NameObject("/AA")] = _actions(keystroke=NUMBER_KEYS)
        if value:
            widget[NameObject("/V")] = TextStringObject(value)
        return self._annotate(box, widget)

    def _date(self, spec: FieldSpec, value: str) -> IndirectObject:
        """A parent ``<name>`` with the kids ``y``, ``m``, ``d``, each over its own blank."""
        parent = self.writer._add_object(
            DictionaryObject(
                {NameObject("/T"): TextStringObject(spec.name), NameObject("/TU"): TextStringObject(spec.tooltip)}
            )
        )
        parts = date_parts(value) or ("", "", "")
        kids = ArrayObject()
        for (key, word, size, (low, high)), box, part in zip(DATE_PARTS, spec.boxes, parts, strict=True):
            drawn = (
                ap.text_line(self.pen, part, box.w, box.h, PART_SIZE, centred=True).content
                if part and self.pen
                else b"/Tx BMC EMC"
            )
            widget = self._text_widget(box, key, f"{spec.tooltip}（{self.words[word].strip()}）", drawn, PART_SIZE)
            widget.update(
                {
                    NameObject("/Q"): NumberObject(1),
                    NameObject("/MaxLen"): NumberObject(size),
                    NameObject("/Parent"): parent,
                    NameObject("/AA"): _actions(
                        keystroke='AFNumber_Keystroke(0, 0, 0, 0, "", true);',
                        validate=f"AFRange_Validate(true, {low}, true, {high});",
                    ),
                }
            )
            if part:
                widget[NameObject("/V")] = TextStringObject(part)
            kids.append(self._annotate(box, widget))
        _dict(parent)[NameObject("/Kids")] = kids
        return parent

    def _text_widget(
        self, box: Box, name: str, tooltip: str, drawn: bytes, size: float = TEXT_SIZE
    ) -> DictionaryObject:
        widget = self._widget(box)
        widget.update(
            {
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject(name),
                NameObject("/TU"): TextStringObject(tooltip),
                NameObject("/DA"): TextStringObject(self._da(size)),
                NameObject("/Q"): NumberObject(0),
                NameObject("/AP"): _normal(self._form_xobject(drawn, box)),
                # MuPDF picks the CJK collection for typed text by language: zh-Hant would
                # be CNS1, which lacks simplified characters; zh-Hans matches the /DA font (GB1)
                NameObject("/Lang"): TextStringObject("zh-Hans"),
            }
        )
        return widget

    def _checkboxes(self, spec: FieldSpec, chosen: list[str]) -> list[IndirectObject]:
        """One checkbox field per option, ``<name>.<i>``, under a parent ``<name>``."""
        parent = self.writer._add_object(
            DictionaryObject(
                {NameObject("/T"): TextStringObject(spec.name), NameObject("/TU"): TextStringObject(spec.tooltip)}
            )
        )
        kids = ArrayObject()
        for i, (option, box) in enumerate(zip(spec.options, spec.boxes, strict=True), start=1):
            state = ON if option in chosen else OFF
            widget = self._button(box, ON, ap.tick(box.w, box.h, self.color), state)
            widget.update(
                {
                    NameObject("/FT"): NameObject("/Btn"),
                    NameObject("/T"): TextStringObject(str(i)),
                    NameObject("/TU"): TextStringObject(f"{spec.tooltip}：{option}"),
                    NameObject("/V"): state,
                    NameObject("/Parent"): parent,
                }
            )
            kids.append(self._annotate(box, widget))
        _dict(parent)[NameObject("/Kids")] = kids
        return [parent]

    def _radio(self, spec: FieldSpec, chosen: str) -> IndirectObject:
        """One radio field; option ``i`` (1-based) has the on-state ``/i`` and its text as tooltip."""
        index = spec.options.index(chosen) + 1 if chosen in spec.options else 0
        parent = self.writer._add_object(
            DictionaryObject(
                {
                    NameObject("/FT"): NameObject("/Btn"),
                    NameObject("/Ff"): NumberObject(FF_RADIO | FF_NO_TOGGLE_OFF),
                    NameObject("/T"): TextStringObject(spec.name),
                    NameObject("/TU"): TextStringObject(spec.tooltip),
                    NameObject("/V"): NameObject(f"/{index}") if index else OFF,
                }
            )
        )
        kids = ArrayObject()
        for i, (option, box) in enumerate(zip(spec.options, spec.boxes, strict=True), start=1):
            on = NameObject(f"/{i}")
            widget = self._button(box, on, ap.dot(box.w, box.h, self.color), on if i == index else OFF)
            widget[NameObject("/TU")] = TextStringObject(f"{spec.tooltip}：{option}")
            widget[NameObject("/Parent")] = parent
            kids.append(self._annotate(box, widget))
        _dict(parent)[NameObject("/Kids")] = kids
        return parent

    def _button(self, box: Box, on: NameObject, drawing: bytes, state: NameObject) -> DictionaryObject:
        widget = self._widget(box)
        normal = DictionaryObject({on: self._form_xobject(drawing, box), OFF: self._form_xobject(b"", box)})
        widget[NameObject("/AP")] = DictionaryObject({NameObject("/N"): normal})
        widget[NameObject("/AS")] = state
        return widget

    def _widget(self, box: Box) -> DictionaryObject:
        page = self.writer.pages[box.page - 1]
        return DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/Rect"): _numbers(box.x, box.y, box.x + box.w, box.y + box.h),
                NameObject("/F"): NumberObject(4),  # print
                NameObject("/P"): page.indirect_reference,
                NameObject("/MK"): DictionaryObject(),
            }
        )

    def _annotate(self, box: Box, widget: DictionaryObject) -> IndirectObject:
        ref = self.writer._add_object(widget)
        page = self.writer.pages[box.page - 1]
        if "/Annots" not in page:
            page[NameObject("/Annots")] = ArrayObject()
        page["/Annots"].get_object().append(ref)  # type: ignore[union-attr]
        return ref

    def _da(self, size: float = TEXT_SIZE) -> str:
        r, g, b = self.color
        return f"{TYPED_RES} {size:g} Tf {r:.3f} {g:.3f} {b:.3f} rg"

    # ------------------------------------------------------------ appearances

    def _text_ap(self, spec: FieldSpec, value: str) -> bytes:
        box = spec.boxes[0]
        if not value or self.pen is None:
            return b"/Tx BMC EMC"
        if spec.kind == "multiline":
            drawn = ap.text_block(self.pen, value, box.w, box.h, spec.lines)
        else:
            drawn = ap.text_line(self.pen, value, box.w, box.h)
        if drawn.small:
            self.small[spec.name] = drawn.size
        return drawn.content

    def _form_xobject(self, content: bytes, box: Box) -> IndirectObject:
        stream = DecodedStreamObject()
        stream.set_data(content)
        stream.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): _numbers(0, 0, box.w, box.h),
            }
        )
        if b" Tf " in content:
            stream[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject(FONT_RES): self.font_ref})}
            )
        return self.writer._add_object(stream)

    # ------------------------------------------------------------ flat

    def draw(self, spec: FieldSpec, value: Value | None) -> None:
        """Print the value into the page content (flattening: no widget at all)."""
        if spec.kind in ("checkbox", "radio"):
            chosen = _as_list(value)
            for option, box in zip(spec.options, spec.boxes, strict=True):
                if option in chosen:
                    mark = ap.tick if spec.kind == "checkbox" else ap.dot
                    self._stamp(box, mark(box.w, box.h, self.color))
        elif spec.kind == "date" and isinstance(value, str) and self.pen:
            for box, part in zip(spec.boxes, date_parts(value) or (), strict=False):
                self._stamp(box, ap.text_line(self.pen, part, box.w, box.h, PART_SIZE, centred=True).content)
        elif isinstance(value, str) and value:
            self._stamp(spec.boxes[0], self._text_ap(spec, value))

    def add_copy(self) -> None:
        """Another copy of the form's pages; what is drawn next goes on it.

        A copy shares the content streams, fonts and images of the first; only its
        resource dictionary (which will name its own value drawings) is its own."""
        for index in range(self.sheet_pages):
            source = self.writer.pages[index]
            page = PageObject(self.writer)
            page.update({key: value for key, value in source.items() if key not in ("/Parent", "/Annots")})
            page[NameObject("/Resources")] = _copy_resources(self._blank[index])
            self.writer.add_page(page)
        self.offset = len(self.writer.pages) - self.sheet_pages

    def _stamp(self, box: Box, content: bytes) -> None:
        ref = self._form_xobject(content, box)
        index = self.offset + box.page - 1
        page = self.writer.pages[index]
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
        key = NameObject(f"/PBv{len(xobjects)}")
        xobjects[key] = ref
        self.flat.setdefault(index, []).append(f"q 1 0 0 1 {box.x:.2f} {box.y:.2f} cm {key} Do Q")

    def finish(self, flatten: bool) -> bytes:
        if flatten:
            for index, ops in self.flat.items():
                append_content(self.writer, index, "\n".join(ops).encode("ascii"))
        else:
            fonts = DictionaryObject({NameObject(TYPED_RES): add_standard_font(self.writer)})
            if self._font_ref is not None:
                fonts[NameObject(FONT_RES)] = self._font_ref
            self.writer._root_object[NameObject("/AcroForm")] = self.writer._add_object(
                DictionaryObject(
                    {
                        NameObject("/Fields"): ArrayObject(self.fields),
                        NameObject("/DR"): DictionaryObject({NameObject("/Font"): fonts}),
                        NameObject("/DA"): TextStringObject(self._da()),
                    }
                )
            )
        out = io.BytesIO()
        self.writer.write(out)
        return out.getvalue()


@lru_cache(maxsize=4)
def _reader(pdf: bytes) -> PdfReader:
    """The typeset form, parsed once however many copies are filled from it (a writer
    clones what it changes; the reader is never written to)."""
    return PdfReader(io.BytesIO(pdf))


def _copy_resources(resources: PdfObject | None) -> DictionaryObject:
    """A copy of a page's resource dictionary (and of its XObject names); what they name is shared."""
    own = DictionaryObject(resources.get_object().items()) if resources is not None else DictionaryObject()  # type: ignore[union-attr]
    xobjects = own.get("/XObject")
    if xobjects is not None:
        own[NameObject("/XObject")] = DictionaryObject(xobjects.get_object().items())
    return own


def _actions(keystroke: str = "", validate: str = "") -> DictionaryObject:
    """Additional actions: JavaScript run by Acrobat and pdf.js on each keystroke / on commit."""
    out = DictionaryObject()
    for key, script in (("/K", keystroke), ("/V", validate)):
        if script:
            out[NameObject(key)] = DictionaryObject(
                {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(script)}
            )
    return out


def append_content(writer: PdfWriter, index: int, content: bytes) -> None:
    """Wrap the page's own content in q/Q and draw ``content`` after it."""
    page = writer.pages[index]
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(b"\nQ\n" + content + b"\n")
    existing = page.get("/Contents")
    parts = existing.get_object() if existing is not None else ArrayObject()
    parts = list(parts) if isinstance(parts, ArrayObject) else [existing]
    page[NameObject("/Contents")] = ArrayObject(
        [writer._add_object(before), *parts, writer._add_object(after.flate_encode())]
    )


def _dict(ref: IndirectObject) -> DictionaryObject:
    obj = ref.get_object()
    assert isinstance(obj, DictionaryObject)
    return obj


def _numbers(*values: float) -> ArrayObject:
    return ArrayObject(FloatObject(round(v, 2)) for v in values)


def _normal(appearance: IndirectObject) -> DictionaryObject:
    return DictionaryObject({NameObject("/N"): appearance})


def _as_list(value: Value | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
