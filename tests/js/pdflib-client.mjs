// pdf-lib (1.17, as Node scripts fill PDF forms) as a programmatic form filler for policybook's tests.
//   node pdflib-client.mjs fill IN.pdf VALUES.json OUT.pdf
// VALUES: {"name": "text" | true/false (one checkbox "group.2") | "export" (radio on-state)}.
// pdf-lib draws field appearances only with a WinAnsi font unless a CJK font is embedded
// with fontkit; a script filling Chinese values saves without redrawing and sets
// NeedAppearances, so every viewer draws the values with the form's /DA font.
import fs from "node:fs";
import { PDFBool, PDFCheckBox, PDFDocument, PDFName, PDFRadioGroup, PDFTextField } from "pdf-lib";

const [, , command, input, valuesPath, output] = process.argv;
if (command !== "fill") {
  console.error("usage: pdflib-client.mjs fill IN.pdf VALUES.json OUT.pdf");
  process.exit(2);
}
const doc = await PDFDocument.load(fs.readFileSync(input));
const form = doc.getForm();
const values = JSON.parse(fs.readFileSync(valuesPath, "utf-8"));
for (const field of form.getFields()) {
  const name = field.getName();
  if (!(name in values)) continue;
  const wanted = values[name];
  if (field instanceof PDFTextField) field.setText(String(wanted));
  else if (field instanceof PDFCheckBox) wanted ? field.check() : field.uncheck();
  else if (field instanceof PDFRadioGroup && wanted) field.select(String(wanted));
}
form.acroForm.dict.set(PDFName.of("NeedAppearances"), PDFBool.True);
fs.writeFileSync(output, await doc.save({ updateFieldAppearances: false }));
