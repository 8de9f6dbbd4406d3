"""The plain-name fast path renders exactly what Jinja renders, and steps aside otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policybook.transforms.variables import environment, render_plain

CONTEXT: dict[str, Any] = {
    "company": "深圳公司",
    "fine": 50,
    "rate": 1.5,
    "whole": 3.0,
    "flag": True,
    "nothing": None,
    "tags": ["shift", "retail"],
    "leave": {"days": 3, "items": "not the dict method", "note": {"text": "见{{ x }}"}},
}
NAMES = ["company", "fine", "rate", "whole", "flag", "nothing", "tags", "leave", "leave.days", "leave.note.text"]


def jinja(text: str) -> str:
    return str(environment().from_string(text).render(CONTEXT))


@given(
    st.lists(
        st.one_of(
            st.text(alphabet="甲乙 ,。\n{}#%ab", max_size=6),
            st.sampled_from(NAMES).map(lambda n: "{{ " + n + " }}"),
            st.sampled_from(NAMES).map(lambda n: "{{" + n + "}}"),
        ),
        max_size=6,
    )
)
def test_same_text_as_jinja(pieces: list[str]) -> None:
    text = "".join(pieces)
    fast = render_plain(text, CONTEXT)
    if fast is not None:
        assert fast == jinja(text)


@pytest.mark.parametrize(
    "text",
    [
        "罚款{{ fine | int }}元",  # a filter
        "{% if flag %}是{% endif %}",  # a tag
        "{{ missing }}",  # unknown: Jinja reports it
        "{{ leave.items }}",  # Jinja reads the dict's attribute first
        "{## a comment ##}{{ fine }}",
        "{{ range }}",  # Jinja's own global
    ],
)
def test_leaves_everything_else_to_jinja(text: str) -> None:
    assert render_plain(text, CONTEXT) is None


def test_renders_plain_names() -> None:
    text = "迟到罚款{{ fine }}元，加班{{rate}}倍，{{ whole }}天\n"
    assert render_plain(text, CONTEXT) == "迟到罚款50元，加班1.5倍，3天\n"
