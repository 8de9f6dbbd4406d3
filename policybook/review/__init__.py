"""Review stage: a lawyer's tracked changes and comments in a handbook DOCX, back to the source.

wordml.py    the reviewed DOCX: paragraphs and rows as sent and as accepted, comments, properties
units.py     the body cut into articles by their identities (fallback: 第X条 heading + similarity)
printed.py   an article's Markdown as printed, each character traced to the source (or generated)
propose.py   accepted text → edits of Markdown lines and variable overrides; conflicts
patch.py     edits → a `git apply`-able patch
report.py    review-report.md
importer.py  the whole import (`policybook review import`), and the proposed changes as data
"""
