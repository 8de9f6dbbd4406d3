"""Resolve stage: a Jinja2 sandbox that also bounds the work a template can ask for.

Jinja's own sandbox stops attribute tricks but not ``{% for %}`` loops nested a
hundred thousand deep, ``'x' * 10**9`` or ``9 ** (9 ** 9)``. This one counts
steps (loop iterations and calls), caps call depth, the length of every string
or list a template builds, the size of numbers and of the output, all from
:mod:`policybook.limits`; exceeding one raises :class:`LimitExceeded`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from policybook import limits
from policybook.limits import LimitExceeded

# a width or precision of 7+ digits in a %-format or a {:…} format spec
BIG_FORMAT_RE = re.compile(r"%[-#0 +]*(\d{7,}|\*)|%[-#0 +]*\d*\.\d{7,}|\{[^{}]*:[^{}]*\d{7,}[^{}]*\}")
SIZING_FILTERS = ("center", "indent", "wordwrap", "truncate", "batch", "slice", "format")
MAX_BITS = int(limits.TEMPLATE_NUMBER_DIGITS * 3.33) + 1
LIPSUM_WORD = 8  # characters of a lorem-ipsum word with its space and punctuation, at most about


class Budget:
    """The work left for the text being rendered."""

    def __init__(self) -> None:
        self.steps = 0
        self.depth = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > limits.TEMPLATE_STEPS:
            raise LimitExceeded("the template runs too many loop steps and calls", limits.TEMPLATE_STEPS)


class GuardedEnvironment(ImmutableSandboxedEnvironment):
    """An immutable sandbox with budgets (one :class:`Budget` per rendered text)."""

    intercepted_binops = frozenset(["*", "**", "+", "%", "//"])

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.budget = Budget()
        self.concat = bounded_concat  # type: ignore[assignment]
        self.filters = {name: _guarded_filter(name, func) for name, func in self.filters.items()}

    def fresh(self) -> None:
        """Start a new budget (before each text or condition)."""
        self.budget = Budget()

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return _Guard().visit(super()._parse(source, name, filename))  # type: ignore[no-any-return]

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Every loop iterates through here: one step per iteration."""
        for item in iterable:
            self.budget.step()
            yield item

    def checked(self, value: Any) -> Any:
        return checked(value)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget = __self.budget
        budget.step()
        _check_call(__obj, args, kwargs)
        budget.depth += 1
        try:
            if budget.depth > limits.TEMPLATE_DEPTH:
                raise LimitExceeded("templates call each other too deeply", limits.TEMPLATE_DEPTH)
            return checked(super().call(__context, __obj, *args, **kwargs))
        finally:
            budget.depth -= 1

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        self.budget.step()
        _check_binop(operator, left, right)
        return checked(super().call_binop(context, operator, left, right))


class _Guard(NodeTransformer):
    """Route every loop through ``environment.counted`` and every ``~`` through ``checked``."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _env_call("counted", node.iter)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _env_call("checked", node)  # type: ignore[arg-type]  # a Concat is an Expr


def _env_call(name: str, arg: nodes.Node) -> nodes.Call:
    return nodes.Call(nodes.EnvironmentAttribute(name), [arg], [], None, None, lineno=arg.lineno)


def bounded_concat(parts: Iterable[str]) -> str:
    """``"".join`` that stops once the output passes the limit."""
    out: list[str] = []
    size = 0
    for part in parts:
        size += len(part)
        if size > limits.TEMPLATE_OUTPUT:
            raise LimitExceeded("the template's output is too long", limits.TEMPLATE_OUTPUT)
        out.append(part)
    return "".join(out)


def checked(value: Any) -> Any:
    """``value`` if it is within the size limits."""
    if isinstance(value, str | bytes | list | tuple | dict) and len(value) > limits.TEMPLATE_OUTPUT:
        raise LimitExceeded("the template builds a string or list too long", limits.TEMPLATE_OUTPUT)
    if isinstance(value, float) and not math.isfinite(value):
        raise LimitExceeded("the template computes a number too large (digits)", limits.TEMPLATE_NUMBER_DIGITS)
    if isinstance(value, int) and value.bit_length() > MAX_BITS:
        raise LimitExceeded("the template computes a number too large (digits)", limits.TEMPLATE_NUMBER_DIGITS)
    return value


def _check_binop(operator: str, left: Any, right: Any) -> None:
    ints = isinstance(left, int) and isinstance(right, int)
    if operator == "**" and ints and abs(left) > 1 and right > 0 and left.bit_length() * right > MAX_BITS:
        raise LimitExceeded("the template computes a number too large (digits)", limits.TEMPLATE_NUMBER_DIGITS)
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if (
                isinstance(seq, str | list | tuple)
                and isinstance(times, int)
                and len(seq) * times > limits.TEMPLATE_OUTPUT
            ):
                raise LimitExceeded("the template builds a string or list too long", limits.TEMPLATE_OUTPUT)
    if operator == "%" and isinstance(left, str):
        _check_format(left)


def _check_format(text: str) -> None:
    if BIG_FORMAT_RE.search(text):
        raise LimitExceeded("a format asks for a field too wide", limits.TEMPLATE_OUTPUT)


def _check_call(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Methods of strings and lists (center, ljust, zfill, format …) and globals (lipsum) take sizes."""
    owner = getattr(getattr(func, "__wrapped__", func), "__self__", None)  # the sandbox wraps str.format
    if isinstance(owner, str):
        _check_format(owner)
    if isinstance(owner, str | list | tuple) or getattr(func, "__name__", "") == "generate_lorem_ipsum":
        _check_sizes(args, kwargs)
    if getattr(func, "__name__", "") == "generate_lorem_ipsum":
        _check_lipsum(*args, **kwargs)


def _check_lipsum(n: Any = 5, html: Any = True, min: Any = 20, max: Any = 100, *_: Any, **__: Any) -> None:  # noqa: A002
    """``lipsum(n, html, min, max)`` writes ``n`` paragraphs of up to ``max`` words: refused
    before it starts when that much text could pass the output limit (each count alone may
    not: lipsum(1000000) is a million paragraphs, minutes of work)."""
    counts = [v if isinstance(v, int) and not isinstance(v, bool) else 0 for v in (n, max)]
    if counts[0] * counts[1] * LIPSUM_WORD > limits.TEMPLATE_OUTPUT:
        raise LimitExceeded("the template asks lipsum() for too much text", limits.TEMPLATE_OUTPUT)


def _check_sizes(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > limits.TEMPLATE_OUTPUT:
            raise LimitExceeded("a size or count in the template is too large", limits.TEMPLATE_OUTPUT)
        if isinstance(value, str):
            _check_format(value)


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose result is size-checked; sizing filters (center, indent …) get their sizes checked first."""

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if name in SIZING_FILTERS:
            _check_sizes(args, kwargs)
        return checked(func(*args, **kwargs))

    return guarded
