"""Read stage: source files → an unresolved document model with file:line everywhere."""

from policybook.source.project import read_project

__all__ = ["read_project"]
