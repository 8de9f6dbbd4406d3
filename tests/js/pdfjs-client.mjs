// pdf.js (pdfjs-dist, as Firefox uses it) as a form client for policybook's tests.
//   node pdfjs-client.mjs read IN.pdf               → JSON {field: value} on stdout
//   node pdfjs-client.mjs fill IN.pdf VALUES.json OUT.pdf
// VALUES: {"name": "text" | true/false (one checkbox widget "group.2") | "export" (radio)}.
// Filling goes through annotationStorage and saveDocument(), as the viewer's save does.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

// Firefox ships pdf.js with its CMaps and standard font data: so must we.
const dist = path.dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"));
const assets = { cMapUrl: `${dist}/cmaps/`, cMapPacked: true, standardFontDataUrl: `${dist}/standard_fonts/` };

const [, , command, input, valuesPath, output] = process.argv;

async function open(file) {
  return getDocument({ data: new Uint8Array(fs.readFileSync(file)), verbosity: 0, ...assets }).promise;
}

async function widgets(doc) {
  const all = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    for (const a of await page.getAnnotations()) if (a.subtype === "Widget") all.push(a);
  }
  return all;
}

async function read(doc) {
  const out = {};
  for (const a of await widgets(doc)) {
    if (a.checkBox) {
      if (a.fieldValue && a.fieldValue !== "Off" && a.fieldValue === a.exportValue) out[a.fieldName] = a.exportValue;
      else out[a.fieldName] ??= "Off";
    } else if (a.radioButton) {
      if (a.fieldValue && a.fieldValue === a.buttonValue) out[a.fieldName] = a.buttonValue;
      else out[a.fieldName] ??= "Off";
    } else {
      out[a.fieldName] = a.fieldValue ?? "";
    }
  }
  return out;
}

async function fill(doc, values) {
  const storage = doc.annotationStorage;
  const unused = new Set(Object.keys(values));
  for (const a of await widgets(doc)) {
    if (a.radioButton && a.fieldName in values) {
      storage.setValue(a.id, { value: values[a.fieldName] === a.buttonValue });
      unused.delete(a.fieldName);
    } else if (a.fieldName in values) {
      storage.setValue(a.id, { value: values[a.fieldName] });
      unused.delete(a.fieldName);
    }
  }
  if (unused.size) throw new Error(`no such fields: ${[...unused].join(", ")}`);
  return doc.saveDocument();
}

const doc = await open(input);
if (command === "read") {
  process.stdout.write(JSON.stringify(await read(doc)));
} else if (command === "fill") {
  const values = JSON.parse(fs.readFileSync(valuesPath, "utf8"));
  fs.writeFileSync(output, await fill(doc, values));
} else {
  throw new Error(`unknown command ${command}`);
}
await doc.destroy();
