"""Procedure stage (beside the ledger): how a rule came to bind an employee.

- ``schema.py``     the tables: consultations (民主程序), opinions, meetings, the close,
                    Taiwan 核備 filings, 公示 publications, online-acknowledgement links
- ``consult.py``    open / opinions / meeting / close a consultation; file a 核備 record
- ``gate.py``       ``procedure: required``: what a release still lacks before it is assigned
- ``publicise.py``  公示 records with their evidence files
- ``links.py``      personal, signed, expiring links for online 签收
- ``evidence.py``   the evidence package for one employee and one article on one day
- ``typeset.py``    the PDFs of this stage (征求意见稿, evidence package, receipt), by Typst

Every record here is append-only, in the session (``schema.py``) and in the
database (triggers in migration 0005), like the ledger's acknowledgements.
"""
