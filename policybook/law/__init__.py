"""Labour-law checks: rule tables per jurisdiction, run on each variant's printed text.

Beside the pipeline, after resolve: ``check_law`` reads each resolved, numbered
variant (and the variables the source gives a meaning) and reports ``law.*``
findings citing their statute. The tables are data (``data/<jurisdiction>.yaml``);
see docs/law.md. The checks are aids for a legal review, not legal advice.
"""

from __future__ import annotations

from policybook.law.checker import Finding, check_law, findings

__all__ = ["Finding", "check_law", "findings"]
