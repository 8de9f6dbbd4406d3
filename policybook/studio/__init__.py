"""Studio: the browser workspace (``policybook studio``) — to HTTP what ``commands/`` is to the shell.

A Flask app made by :func:`create_app`; one blueprint per area, listed in
:data:`policybook.studio.app.BLUEPRINTS` (another area is one module and one
entry there). Views are thin: they parse the request, call the same functions
the commands call (read, check, diff, build, the ledger) and render.
"""

from policybook.studio.app import BLUEPRINTS, StudioConfig, create_app

__all__ = ["BLUEPRINTS", "StudioConfig", "create_app"]
