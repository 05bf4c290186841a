"""The marks of the 評価表's 結果 column and their legend (the standard form's ※ note).

The two × results are told apart on paper as ×1 / ×2, as the standard sample does."""

from __future__ import annotations

from monitoring.models import EvaluationResult

RESULT_MARKS: dict[str, str] = {
    EvaluationResult.EXCEEDED: "◎",
    EvaluationResult.ACHIEVED: "○",
    EvaluationResult.EXTEND: "△",
    EvaluationResult.HARD: "×1",
    EvaluationResult.OTHER: "×2",
}


def result_mark(result: str) -> str:
    return RESULT_MARKS.get(result, "")


def result_legend() -> list[tuple[str, str]]:
    """(mark, meaning) for every result, in the form's order."""
    legend = []
    for value, label in EvaluationResult.choices:
        meaning = label.split(" ", 1)[1] if " " in label else label
        legend.append((RESULT_MARKS[value], meaning))
    return legend
