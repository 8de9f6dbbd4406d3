"""Import stage: existing regulations (Word, text, PDF) → a policybook source tree.

Readers turn each file into one flat list of paragraphs (``paragraphs.Para``);
from there every format goes the same way::

    read (docx_reader / text_reader / pdf_reader)
      → normalise (normalise.py, joins wrapped lines, fixes punctuation)
      → detect structure (structure.py: chapters, sections, articles, items, appendices)
      → blanks and company name (blanks.py) → references (links.py)
      → write the tree (writer.py, forms.py) and the report (report.py)

Every step that guesses records what it guessed and where (``report.Record``).
"""
