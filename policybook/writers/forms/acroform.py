"""Write stage (forms): AcroForm fields on top of the typeset form, or values drawn flat.

Field names — the contract with CSV files and other tools:

- ``text``, ``number``, ``serial``, ``multiline``, ``date``: one text field, named
  as in the form YAML (date and number carry a format hint in the /TU tooltip);
- ``signature``: ``<name>`` (text: who signs) and ``<name>_date`` (text, YYYY-MM-DD);
- ``checkbox`` group: a parent field ``<name>`` whose kids are one checkbox per
  option, ``<name>.1``, ``<name>.2`` … (1-based, option order; ASCII names, so
  every tool can address them); a kid's on-state (export value) is the option
  text and its tooltip is ``label：option``;
- ``choice``: one radio-button field ``<name>`` with a widget per option; the
  on-state (export value, /V) is the option text.

Every widget gets appearance streams we draw ourselves (appearance.py) with the
CJK cut in /DR; NeedAppearances is never set. Flattening draws the same
appearances into the page content and adds no widgets at all, so nothing shows
twice.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from policybook.model import Form
from policybook.writers.forms import appearance as ap
from policybook.writers.forms.cjkfont import CutFont
from policybook.writers.forms.pdffont import add_font
from policybook.writers.forms.typeset import Box

FONT_RES = "/PBF"
TEXT_SIZE = 10.0
FF_MULTILINE, FF_NO_TOGGLE_OFF, FF_RADIO = 1 << 12, 1 << 14, 1 << 15
HINTS = {
    "zh-Hans": {"date": "（日期：YYYY-MM-DD）", "number": "（数字）", "sign": "签字", "sign_date": "签字日期"},
    "zh-Hant": {"date": "（日期：YYYY-MM-DD）", "number": "（數字）", "sign": "簽字", "sign_date": "簽字日期"},
    "en": {"date": " (date: YYYY-MM-DD)", "number": " (number)", "sign": " signature", "sign_date": " date"},
}
Value = str | list[str]


@dataclass
class FieldSpec:
    """One AcroForm field as the layout placed it."""

    name: str
    kind: str  # text | multiline | date | checkbox | radio
    tooltip: str
    boxes: list[Box]  # one box, or one per option
    options: list[str] = field(default_factory=list)
    lines: int = 1
    slots: list[Box] = field(default_factory=list)  # date: the 年/月/日 blanks


def field_specs(form: Form, boxes: list[Box], locale: str) -> list[FieldSpec]:
    """The fields of ``form``, placed where the layout left their markers (first copy only)."""
    at: dict[str, Box] = {}
    for box in boxes:
        at.setdefault(box.name, box)
    hints = HINTS.get(locale, HINTS["zh-Hans"])
    specs: list[FieldSpec] = []
    for cell in form.fields():
        label = cell.label or cell.name
        if cell.type in ("checkbox", "choice"):
            kind = "checkbox" if cell.type == "checkbox" else "radio"
            kids = [at[f"{cell.name}.{i}"] for i in range(1, len(cell.options) + 1)]
            specs.append(FieldSpec(cell.name, kind, label, kids, list(cell.options)))
        elif cell.type == "signature":
            specs.append(FieldSpec(cell.name, "text", label + hints["sign"], [at[cell.name]]))
            specs.append(_date(f"{cell.name}_date", label + hints["sign_date"] + hints["date"], at))
        elif cell.type == "date":
            specs.append(_date(cell.name, label + hints["date"], at))
        else:
            kind = "multiline" if cell.type == "multiline" else "text"
            tip = label + hints["number"] if cell.type == "number" else label
            specs.append(FieldSpec(cell.name, kind, tip, [at[cell.name]], lines=cell.lines))
    return specs


def _date(name: str, tooltip: str, at: dict[str, Box]) -> FieldSpec:
    slots = [at[f"{name}/{part}"] for part in "ymd"]
    return FieldSpec(name, "date", tooltip, [at[name]], slots=slots)


def render(
    pdf: bytes,
    specs: list[FieldSpec],
    values: Mapping[str, Value],
    font: CutFont,
    color: tuple[float, float, float],
    flatten: bool = False,
) -> bytes:
    """The typeset form with fillable fields (or, flattened, with values printed)."""
    sheet = _Sheet(pdf, font, color)
    for spec in specs:
        if flatten:
            sheet.draw(spec, values.get(spec.name))
        else:
            sheet.fields.append(sheet.field(spec, values.get(spec.name)))
    return sheet.finish(flatten)


class _Sheet:
    """The PDF being written: widgets, appearance streams and the shared font."""

    def __init__(self, pdf: bytes, font: CutFont, color: tuple[float, float, float]) -> None:
        self.writer = PdfWriter(clone_from=io.BytesIO(pdf))
        self.font = font
        self.color = color
        self.pen = ap.Pen(font, FONT_RES, TEXT_SIZE, color)
        self.fields: list[IndirectObject] = []
        self.flat: dict[int, list[str]] = {}  # page index → content drawn flat
        self._font_ref: IndirectObject | None = None

    @property
    def font_ref(self) -> IndirectObject:
        if self._font_ref is None:
            self._font_ref = add_font(self.writer, self.font)
        return self._font_ref

    # ------------------------------------------------------------ fillable

    def field(self, spec: FieldSpec, value: Value | None) -> IndirectObject:
        if spec.kind == "checkbox":
            return self._checkboxes(spec, _as_list(value))
        if spec.kind == "radio":
            return self._radio(spec, value if isinstance(value, str) else "")
        return self._text(spec, value if isinstance(value, str) else "")

    def _text(self, spec: FieldSpec, value: str) -> IndirectObject:
        box = spec.boxes[0]
        widget = self._widget(box)
        widget.update(
            {
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject(spec.name),
                NameObject("/TU"): TextStringObject(spec.tooltip),
                NameObject("/DA"): TextStringObject(self._da()),
                NameObject("/Q"): NumberObject(0),
                NameObject("/Ff"): NumberObject(FF_MULTILINE if spec.kind == "multiline" else 0),
                NameObject("/AP"): _normal(self._form_xobject(self._text_ap(spec, value), box)),
            }
        )
        if value:
            widget[NameObject("/V")] = TextStringObject(value)
        return self._annotate(box, widget)

    def _checkboxes(self, spec: FieldSpec, chosen: list[str]) -> IndirectObject:
        parent = self.writer._add_object(
            DictionaryObject(
                {
                    NameObject("/T"): TextStringObject(spec.name),
                    NameObject("/TU"): TextStringObject(spec.tooltip),
                }
            )
        )
        kids = ArrayObject()
        for i, (option, box) in enumerate(zip(spec.options, spec.boxes, strict=True), start=1):
            state = _name(option) if option in chosen else NameObject("/Off")
            widget = self._button(box, _name(option), ap.tick(box.w, box.h, self.color), state)
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
        return parent

    def _radio(self, spec: FieldSpec, chosen: str) -> IndirectObject:
        selected = _name(chosen) if chosen in spec.options else NameObject("/Off")
        parent = self.writer._add_object(
            DictionaryObject(
                {
                    NameObject("/FT"): NameObject("/Btn"),
                    NameObject("/Ff"): NumberObject(FF_RADIO | FF_NO_TOGGLE_OFF),
                    NameObject("/T"): TextStringObject(spec.name),
                    NameObject("/TU"): TextStringObject(spec.tooltip),
                    NameObject("/V"): selected,
                }
            )
        )
        kids = ArrayObject()
        for option, box in zip(spec.options, spec.boxes, strict=True):
            state = _name(option) if option == chosen else NameObject("/Off")
            widget = self._button(box, _name(option), ap.dot(box.w, box.h, self.color), state)
            widget[NameObject("/Parent")] = parent
            kids.append(self._annotate(box, widget))
        _dict(parent)[NameObject("/Kids")] = kids
        return parent

    def _button(self, box: Box, on: NameObject, drawing: bytes, state: NameObject) -> DictionaryObject:
        widget = self._widget(box)
        normal = DictionaryObject(
            {
                on: self._form_xobject(drawing, box),
                NameObject("/Off"): self._form_xobject(b"", box),
            }
        )
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

    def _da(self) -> str:
        return f"{FONT_RES} {TEXT_SIZE:g} Tf {self.pen.fill()}"

    # ------------------------------------------------------------ appearances

    def _text_ap(self, spec: FieldSpec, value: str) -> bytes:
        box = spec.boxes[0]
        if not value:
            return b"/Tx BMC EMC"
        if spec.kind == "multiline":
            return ap.text_block(self.pen, value, box.w, box.h, spec.lines)
        if spec.kind == "date":
            slots = [(s.x - box.x, s.y - box.y, s.w, s.h) for s in spec.slots]
            return ap.date_in_slots(self.pen, value, slots, box.w, box.h)
        return ap.text_line(self.pen, value, box.w, box.h)

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
                {
                    NameObject("/Font"): DictionaryObject({NameObject(FONT_RES): self.font_ref}),
                }
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
        elif isinstance(value, str) and value:
            self._stamp(spec.boxes[0], self._text_ap(spec, value))

    def _stamp(self, box: Box, content: bytes) -> None:
        ref = self._form_xobject(content, box)
        page = self.writer.pages[box.page - 1]
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
        key = NameObject(f"/PBv{len(xobjects)}")
        xobjects[key] = ref
        self.flat.setdefault(box.page - 1, []).append(f"q 1 0 0 1 {box.x:.2f} {box.y:.2f} cm {key} Do Q")

    def finish(self, flatten: bool) -> bytes:
        if flatten:
            for index, ops in self.flat.items():
                append_content(self.writer, index, "\n".join(ops).encode("ascii"))
        else:
            self.writer._root_object[NameObject("/AcroForm")] = self.writer._add_object(
                DictionaryObject(
                    {
                        NameObject("/Fields"): ArrayObject(self.fields),
                        NameObject("/DR"): DictionaryObject(
                            {
                                NameObject("/Font"): DictionaryObject({NameObject(FONT_RES): self.font_ref}),
                            }
                        ),
                        NameObject("/DA"): TextStringObject(self._da()),
                    }
                )
            )
        out = io.BytesIO()
        self.writer.write(out)
        return out.getvalue()


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


def _name(option: str) -> NameObject:
    return NameObject("/" + option)


def _as_list(value: Value | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
