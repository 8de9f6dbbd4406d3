"""Resolve stage: variables and conditions, rendered by a sandboxed Jinja2.

Source text is not trusted: the sandbox blocks attribute tricks, there is no
template loader (no file access), and an undefined name is an error that names
the file, the line and the closest known name.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError

from policybook.conversion import Name, keep
from policybook.dates import long_date
from policybook.diagnostics import Diagnostics
from policybook.limits import LimitExceeded
from policybook.model import Loc
from policybook.transforms.numerals import cn_number, cn_upper
from policybook.transforms.sandbox import GuardedEnvironment


def _finalize(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Name):
        return keep(value)  # printed as written, whatever the variant's script
    return value


@lru_cache(maxsize=1)
def environment() -> GuardedEnvironment:
    # {#label} is policybook's label syntax, so Jinja's comments move out of its way.
    from jinja2 import StrictUndefined

    env = GuardedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        comment_start_string="{##",
        comment_end_string="##}",
        finalize=_finalize,
        keep_trailing_newline=True,
    )
    env.filters["cn_date"] = long_date
    env.filters["cn_number"] = cn_number
    env.filters["cn_upper"] = cn_upper
    return env


def has_template(text: str) -> bool:
    return "{{" in text or "{%" in text


PLAIN_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")
JINJA_OPENERS = ("{{", "{%", "{##")
_MISSING = object()


def render_plain(value: str, context: dict[str, Any]) -> str | None:
    """``value`` rendered without Jinja when it only prints dotted names (``{{ a.b }}``) that all
    exist: the text Jinja would give, without compiling a template (most of the resolve
    stage's time on a large handbook). None when Jinja must do it (filters, tags, unknown names)."""
    parts = PLAIN_RE.split(value)
    literals = parts[::2]
    if any(opener in literal for literal in literals for opener in JINJA_OPENERS):
        return None
    if any(literal.endswith("{") for literal in literals[:-1]):  # "{{{ a }}": Jinja's "{{" starts a brace earlier
        return None
    for index in range(1, len(parts), 2):
        found = _lookup(context, parts[index])
        if found is _MISSING:
            return None
        parts[index] = str(_finalize(found))
    return "".join(parts)


def _lookup(context: dict[str, Any], dotted: str) -> Any:
    """A dotted name as Jinja resolves it, when that is a plain dictionary lookup (_MISSING otherwise:
    Jinja tries attributes first, so ``a.items`` would be the dict method)."""
    node: Any = context
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node or (node is not context and hasattr(node, part)):
            return _MISSING
        node = node[part]
    return node


@lru_cache(maxsize=8192)
def _compile(text: str) -> Any:
    return environment().from_string(text)


@lru_cache(maxsize=2048)
def _parse(text: str) -> nodes.Template:
    return environment().parse(text)


@lru_cache(maxsize=2048)
def _compile_expression(expr: str) -> Any:
    return environment().compile_expression(expr, undefined_to_none=False)


class Renderer:
    """Renders text and evaluates conditions for one subsidiary's context."""

    def __init__(
        self, context: dict[str, Any], diags: Diagnostics, local_elsewhere: frozenset[str] = frozenset()
    ) -> None:
        self.context = context
        self.diags = diags
        # other subsidiaries' local: names — text may use them under a condition false here
        self.local_elsewhere = local_elsewhere - set(context)

    def text(self, value: str, loc: Loc | None) -> str:
        if not has_template(value):
            return value
        plain = render_plain(value, self.context)
        if plain is not None:
            return plain
        try:
            if not self._names_known(value, loc):
                return value
            environment().fresh()
            return str(_compile(value).render(self.context))
        except TemplateSyntaxError as exc:
            self._syntax(exc, loc)
        except (LimitExceeded, RecursionError, MemoryError, SyntaxError) as exc:
            self._limit(exc, value, loc)
        except (UndefinedError, SecurityError, TemplateError, TypeError, ValueError, ArithmeticError) as exc:
            self.diags.error(loc, f"cannot render '{_short(value)}': {exc}", "variable.render")
        return value

    def condition(self, expr: str, loc: Loc | None) -> bool:
        """True when ``expr`` holds; an error (and True, to keep the content) otherwise."""
        if not expr:
            return True
        try:
            if not self._names_known("{{ " + expr + " }}", loc):
                return True
            environment().fresh()
            return bool(_compile_expression(expr)(**self.context))
        except TemplateSyntaxError as exc:
            self.diags.error(loc, f"bad condition '{expr}': {exc.message}", "condition.syntax")
        except (LimitExceeded, RecursionError, MemoryError, SyntaxError) as exc:
            self._limit(exc, expr, loc)
        except (UndefinedError, SecurityError, TemplateError, TypeError, ValueError, ArithmeticError) as exc:
            self.diags.error(loc, f"cannot evaluate condition '{expr}': {exc}", "condition.eval")
        return True

    def _limit(self, exc: BaseException, text: str, loc: Loc | None) -> None:
        if isinstance(exc, LimitExceeded):
            message = str(exc)
        elif isinstance(exc, MemoryError):
            message = "the template needs too much memory"
        else:  # Python's own nesting limits (recursion, indentation) reached before ours
            message = "the template is nested too deeply"
        self.diags.error(
            loc,
            f"cannot render '{_short(text)}': {message}",
            "limit.template",
            "a handbook's templates need no more than a few loops and values",
        )

    def _syntax(self, exc: TemplateSyntaxError, loc: Loc | None) -> None:
        line = Loc(loc.path, loc.line + (exc.lineno or 1) - 1) if loc else None
        self.diags.error(
            line, f"template syntax error: {exc.message}", "variable.syntax", "variables are written {{ name }}"
        )

    def _names_known(self, text: str, loc: Loc | None) -> bool:
        """Report every unknown variable (with a did-you-mean) before rendering."""
        ok = True
        for dotted, lineno in _references_of(text):
            if dotted.split(".")[0] in environment().globals:
                continue  # range, dict, namespace …: Jinja's own names (the sandbox guards them)
            if dotted.split(".")[0] in self.local_elsewhere:
                continue  # rendering tells whether this variant really reaches it
            missing, known = _missing_part(self.context, dotted)
            if missing:
                ok = False
                where = Loc(loc.path, loc.line + lineno - 1) if loc else None
                close = difflib.get_close_matches(missing.split(".")[-1], known, n=1)
                prefix = missing.rsplit(".", 1)[0] + "." if "." in missing else ""
                hint = f"did you mean '{prefix}{close[0]}'?" if close else "define it under variables: in handbook.yaml"
                self.diags.error(where, f"undefined variable '{missing}'", "variable.undefined", hint)
        return ok


@lru_cache(maxsize=8192)
def _references_of(text: str) -> tuple[tuple[str, int], ...]:
    return tuple(_references(_parse(text)))


def _references(tree: nodes.Template) -> list[tuple[str, int]]:
    """Dotted names read by a template (``a.b.c``), outermost chains only."""
    found: list[tuple[str, int]] = []
    inner: set[int] = set()
    local = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    local |= {n.name for n in tree.find_all(nodes.Macro)}
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if id(node) in inner:
            continue
        dotted = _dotted(node, inner)
        if dotted and dotted.split(".")[0] not in local:
            found.append((dotted, node.lineno))
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and id(node) not in inner and node.name not in local:
            found.append((node.name, node.lineno))
    return found


def _dotted(node: nodes.Node, inner: set[int]) -> str:
    parts: list[str] = []
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        inner.add(id(node))
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            parts.append(node.arg.value)
        else:
            return ""
        node = node.node
    if not isinstance(node, nodes.Name):
        return ""
    inner.add(id(node))
    return ".".join([node.name, *reversed(parts)])


def _missing_part(context: dict[str, Any], dotted: str) -> tuple[str, list[str]]:
    node: Any = context
    done: list[str] = []
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return "", []  # attribute of a plain value (e.g. a string method): leave it to the sandbox
        if part not in node:
            return ".".join([*done, part]), list(node)
        node = node[part]
        done.append(part)
    return "", []


def _short(text: str) -> str:
    return text if len(text) < 40 else text[:37] + "..."
