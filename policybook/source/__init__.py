"""Read stage: source files → an unresolved document model with file:line everywhere.

``project.read_project`` is the entry point. This package file imports nothing, so
that a module needing only ``paths`` (the build's no-change check) loads no parser.
"""
