"""Procedure stage: the optional quiz of the online 签收 (``quiz:`` in handbook.yaml).

    quiz:
      - question: 迟到超过多少分钟按旷工半日处理？
        options: [30分钟, 60分钟, 90分钟]
        answer: 60分钟

Each question names its options and the right one; the employee confirms once every
answer is right (a wrong one sends them back to the text). Problems are diagnostics with
the line of the question.
"""

from __future__ import annotations

from dataclasses import dataclass

from policybook.diagnostics import Diagnostics
from policybook.source.yamlfile import LocDict, LocList, scalar_text

MAX_QUESTIONS = 20


@dataclass(frozen=True)
class Question:
    question: str
    options: tuple[str, ...]
    answer: str


def read_quiz(quiz: LocList | None, diags: Diagnostics) -> list[Question]:
    if quiz is None:
        return []
    out = []
    if len(quiz) > MAX_QUESTIONS:
        diags.error(quiz.loc(), f"{len(quiz)} quiz questions; at most {MAX_QUESTIONS}", "quiz.size")
    for index, item in enumerate(quiz[:MAX_QUESTIONS]):
        question = _question(item, diags) if isinstance(item, LocDict) else None
        if question is None:
            diags.error(
                quiz.loc(index),
                "a quiz question needs question:, options: (two or more) and answer:",
                "quiz.question",
                "answer: must be one of the options, written the same way",
            )
        else:
            out.append(question)
    return out


def _question(item: LocDict, diags: Diagnostics) -> Question | None:
    options = item.get("options")
    if not isinstance(options, LocList) or len(options) < 2 or "question" not in item or "answer" not in item:
        return None
    shown = tuple(scalar_text(o) for o in options)
    answer = scalar_text(item["answer"])
    if answer not in shown or len(set(shown)) != len(shown):
        return None
    return Question(scalar_text(item["question"]).strip(), shown, answer)


def wrong(questions: list[Question], answers: list[str]) -> list[int]:
    """The indexes of the questions answered wrongly (or not at all)."""
    return [i for i, q in enumerate(questions) if i >= len(answers) or answers[i] != q.answer]
