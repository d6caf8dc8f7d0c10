"""The machinery behind every exercise: run the learner's answer, compare, explain.

An :class:`Exercise` holds a question, a reference answer, hints, a solution
and a *judge*: a function that looks at the learner's answer and returns
``None`` when it is right, or a sentence saying what is wrong. Three builders
make the usual kinds:

* :func:`value_exercise`: predict-then-check; the answer is a value.
* :func:`function_exercise`: implement; the answer is a function, run on
  several small cases next to the reference.
* :func:`design_exercise`: the answer is a kernel (or another value) that must
  have a stated effect; the judge tests that effect.

Every exercise also lists ``mistakes``: wrong answers of the common kind that
its check must reject. ``tests/test_exercises.py`` runs them all, so a checker
that lets a wrong answer through is caught.
"""

from __future__ import annotations

import ast
import inspect
import numbers
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "INPUT_UNCHANGED",
    "KERNEL_TURNED",
    "NOT_ATTEMPTED",
    "SHIFTED_BY_ONE",
    "UINT8_CLIPPED",
    "UINT8_WRAPPED",
    "AnswerProblem",
    "Case",
    "Exercise",
    "Verdict",
    "design_exercise",
    "function_exercise",
    "value_exercise",
]

#: What a check prints while the learner's cell still holds the stub.
NOT_ATTEMPTED = "Not attempted yet: replace the ... in the cell above with your answer, then run the cell again."

#: Absolute and relative tolerance when comparing numbers.
TOLERANCE = 1e-6


class Verdict(int):
    """What :meth:`Exercise.check` returns: true when the answer is right.

    It works as a bool (``if``, ``assert``, ``not``, ``== True``) and shows
    nothing when it ends a notebook cell, since ``check`` has already printed
    its verdict in words.
    """

    def __new__(cls, right: bool) -> Verdict:
        return super().__new__(cls, bool(right))

    def __repr__(self) -> str:
        return "True" if self else "False"

    def _ipython_display_(self) -> None:
        """Display nothing: the verdict was printed."""


class AnswerProblem(Exception):
    """Raised by a judge to say what is wrong with an answer; the message is shown as is."""


class LearnerError(Exception):
    """The learner's own code raised; ``error`` is what it raised."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def call_learner(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the learner's function; anything it raises comes back as :class:`LearnerError`."""
    try:
        return function(*args, **kwargs)
    except Exception as error:
        raise LearnerError(error) from None


@dataclass(frozen=True)
class Case:
    """One input for a function exercise: a description the learner reads, and the arguments."""

    description: str
    args: tuple
    kwargs: dict = field(default_factory=dict)


# --------------------------------------------------------------------------
# Comparing and describing values


def _is_number(value: object) -> bool:
    return isinstance(value, (numbers.Real, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def same(got: object, expected: object) -> bool:
    """Whether ``got`` equals ``expected``: arrays by shape and values, numbers within tolerance."""
    if isinstance(expected, np.ndarray):
        if got is None or isinstance(got, (str, bytes)):
            return False
        try:
            array = np.asarray(got)
        except (ValueError, TypeError):
            return False
        if array.shape != expected.shape or array.dtype.kind not in "iuf":
            return False
        return bool(np.allclose(array.astype(np.float64), expected, rtol=TOLERANCE, atol=TOLERANCE))
    if _is_number(expected):
        return _is_number(got) and bool(np.isclose(float(got), float(expected), rtol=TOLERANCE, atol=TOLERANCE))
    if isinstance(expected, (tuple, list)):
        if isinstance(got, np.ndarray) and got.ndim == 1:  # np.array([3, 5]) answers (3, 5) as well
            got = got.tolist()
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return False
        return all(same(g, e) for g, e in zip(got, expected, strict=True))
    if isinstance(expected, str):
        return isinstance(got, str) and got.strip() == expected
    try:
        return bool(got == expected)
    except (ValueError, TypeError):  # an array compared with a scalar-like reference
        return False


def show(value: object, limit: int = 8) -> str:
    """A short text picture of a value: small arrays in full, large ones by shape."""
    if isinstance(value, np.ndarray):
        if value.ndim <= 2 and max(value.shape, default=0) <= limit:
            body = np.array2string(value, precision=3, suppress_small=True, separator=", ")
            return body if value.ndim < 2 else "\n" + textwrap.indent(body, "    ")
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _type_name(value: object) -> str:
    return "None" if value is None else type(value).__name__


def describe_kind(expected: object) -> str:
    """What kind of answer the reference is, in words."""
    if isinstance(expected, np.ndarray):
        return f"an array of shape {expected.shape}"
    if _is_number(expected):
        return "a number"
    if isinstance(expected, tuple):
        return f"a tuple of {len(expected)} values"
    if isinstance(expected, list):
        return f"a list of {len(expected)} values"
    return f"a {type(expected).__name__}"


def type_problem(got: object, expected: object) -> str | None:
    """A sentence when ``got`` is not even the kind of thing expected, else None."""
    if isinstance(expected, np.ndarray):
        if got is None or isinstance(got, (str, bytes, dict)):
            return f"expected {describe_kind(expected)}, got {_type_name(got)}"
        try:
            array = np.asarray(got)
        except (ValueError, TypeError):
            return f"expected {describe_kind(expected)}, got a {_type_name(got)} that is not a rectangular array"
        if array.dtype.kind not in "iuf":
            return f"expected an array of numbers, got values of dtype {array.dtype}"
        if array.shape != expected.shape:
            return f"the shape is {array.shape}, expected {expected.shape}"
        return None
    if _is_number(expected) and not _is_number(got):
        return f"expected a number, got {_type_name(got)}"
    if isinstance(expected, (tuple, list)):
        if isinstance(got, np.ndarray) and got.ndim == 1:
            got = got.tolist()
        if not isinstance(got, (tuple, list)):
            return f"expected {describe_kind(expected)}, got {_type_name(got)}"
        if len(got) != len(expected):
            return f"expected {len(expected)} values, got {len(got)}"
    return None


# --------------------------------------------------------------------------
# Named mistakes for function exercises. Each takes (got, expected, case,
# reference) and returns a sentence when the learner's output is explained by
# that mistake, else None.

Diagnosis = Callable[[np.ndarray, np.ndarray, Case, Callable[..., Any]], str | None]


def _as_float(value: object) -> np.ndarray | None:
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        return None
    return array.astype(np.float64) if array.dtype.kind in "iuf" else None


def KERNEL_TURNED(got, expected, case, reference):
    """The output is what the kernel (second argument) turned 180 degrees gives."""
    if len(case.args) < 2:
        return None
    kernel = np.asarray(case.args[1])
    if kernel.ndim < 2 or np.array_equal(kernel, kernel[::-1, ::-1]):
        return None
    turned = reference(case.args[0], kernel[::-1, ::-1], *case.args[2:], **case.kwargs)
    if same(got, np.asarray(turned)):
        return (
            "your kernel is turned 180 degrees: a missing or extra flip "
            "(cross-correlation slides the kernel as written, convolution turns it first)"
        )
    return None


def SHIFTED_BY_ONE(got, expected, case, reference):
    """The output equals the expected one moved by one pixel (a padding of the wrong size)."""
    values, wanted = _as_float(got), np.asarray(expected, dtype=np.float64)
    if values is None or values.shape != wanted.shape or values.ndim != 2 or min(values.shape) < 3:
        return None
    height, width = values.shape
    inner = values[1:-1, 1:-1]
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if (dy, dx) == (0, 0):
                continue
            moved = wanted[1 + dy : height - 1 + dy, 1 + dx : width - 1 + dx]
            if np.allclose(inner, moved, rtol=TOLERANCE, atol=TOLERANCE):
                return "your output is shifted by one pixel: check the padding, (m - 1) / 2 on each side"
    return None


def _out_of_uint8_range_became(got, expected, squeeze) -> bool:
    """Whether values outside 0..255 exist and ``got`` is ``squeeze(expected)`` (to within one gray level)."""
    values, wanted = _as_float(got), np.asarray(expected, dtype=np.float64)
    if values is None or values.shape != wanted.shape or not ((wanted < 0) | (wanted > 255)).any():
        return False
    return bool(np.allclose(values, squeeze(wanted), atol=1.0))


def UINT8_WRAPPED(got, expected, case, reference):
    """Values outside 0..255 came back modulo 256."""
    if _out_of_uint8_range_became(got, expected, lambda wanted: np.mod(np.trunc(wanted), 256)):
        return "values wrapped around modulo 256: compute in float (image.astype(float)) before summing"
    return None


def UINT8_CLIPPED(got, expected, case, reference):
    """Values outside 0..255 were clipped, so negatives became 0."""
    if _out_of_uint8_range_became(got, expected, lambda wanted: np.clip(wanted, 0, 255)):
        return "values were clipped to 0..255: keep the full range (a float output) and clip only for display"
    return None


def INPUT_UNCHANGED(got, expected, case, reference):
    """The function handed back its first argument."""
    if not case.args:
        return None
    if same(got, np.asarray(case.args[0])) if isinstance(expected, np.ndarray) else got is case.args[0]:
        return "your function returned its input unchanged"
    return None


# --------------------------------------------------------------------------
# Stubs


def _stub(): ...


def is_stub(answer: object) -> bool:
    """True for ``...``, ``None``, or a function whose body is only ``...``, ``pass`` or a docstring."""
    if answer is Ellipsis or answer is None:
        return True
    if not inspect.isfunction(answer):
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(answer)))
    except (OSError, TypeError, SyntaxError):
        return answer.__code__.co_code == _stub.__code__.co_code
    if answer.__name__ == "<lambda>" or not tree.body or not isinstance(tree.body[0], ast.FunctionDef):
        return False
    return all(
        isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        for node in tree.body[0].body
    )


# --------------------------------------------------------------------------
# The exercise


class Exercise:
    """One exercise: ``check(answer)``, ``hint()``, ``solution()`` and ``reference``.

    Parameters
    ----------
    key : str
        Notebook and number, like ``"02.q3"``.
    question : str
        One sentence, as in the notebook.
    kind : {'predict', 'implement', 'design'}
        What the learner gives: a value, a function, or a value with a property.
    reference : object
        The right answer (a value or a function); tests use it.
    judge : callable
        ``judge(answer) -> None`` when right, else a sentence on what is wrong.
        It may raise :class:`AnswerProblem` with that sentence instead.
    hints : sequence of str
        Printed one at a time, the later ones stronger.
    solution : str
        The reference answer as code or text, printed by :meth:`solution`.
    mistakes : dict
        Wrong answers of the common kind, by name; the check must reject each.

    Examples
    --------
    >>> q = value_exercise("00.q1", question="2 + 2?", reference=4, hints=["Count."],
    ...                    solution="answer = 4", mistakes={"three": 3, "five": 5, "text": "4"})
    >>> q.check(...)
    Not attempted yet: replace the ... in the cell above with your answer, then run the cell again.
    False
    >>> q.check(4)
    Correct.
    True
    """

    def __init__(
        self,
        key: str,
        *,
        question: str,
        kind: str,
        reference: Any,
        judge: Callable[[Any], str | None],
        hints: Sequence[str],
        solution: str,
        mistakes: dict[str, Any],
    ) -> None:
        if kind not in ("predict", "implement", "design"):
            raise ValueError(f"kind must be 'predict', 'implement' or 'design', got {kind!r}")
        if not hints:
            raise ValueError(f"{key}: give at least one hint")
        self.key = key
        self.question = question
        self.kind = kind
        self.reference = reference
        self.hints = list(hints)
        self.mistakes = dict(mistakes)
        self._judge = judge
        self._solution = textwrap.dedent(solution).strip()
        self._hints_given = 0

    def __repr__(self) -> str:
        return f"<exercise {self.key} ({self.kind}): {self.question}>"

    def verdict(self, answer: Any) -> str | None:
        """``None`` if ``answer`` is right, else what is wrong (never raises for a learner's answer)."""
        if is_stub(answer):
            return NOT_ATTEMPTED
        try:
            return self._judge(answer)
        except AnswerProblem as problem:
            return str(problem)
        except LearnerError as failure:
            return f"your code raised {type(failure.error).__name__}: {failure.error}"

    def check(self, answer: Any) -> Verdict:
        """Print a one-line verdict on ``answer`` (and the failing case, if any); return whether it is right.

        The result is a :class:`Verdict`, a bool that a notebook does not
        display again after the printed verdict.
        """
        problem = self.verdict(answer)
        if problem is None:
            print("Correct.")
            return Verdict(True)
        print(problem if problem == NOT_ATTEMPTED else f"Not yet: {problem}")
        return Verdict(False)

    def hint(self) -> None:
        """Print the next hint; after the last one, repeat it."""
        index = min(self._hints_given, len(self.hints) - 1)
        self._hints_given += 1
        print(f"Hint {index + 1} of {len(self.hints)}: {self.hints[index]}")

    def solution(self) -> None:
        """Print the reference answer."""
        print(self._solution)


# --------------------------------------------------------------------------
# The three builders


def value_exercise(
    key: str,
    *,
    question: str,
    reference: Any,
    hints: Sequence[str],
    solution: str,
    mistakes: dict[str, Any],
    diagnoses: Sequence[tuple[Callable[[Any], bool], str]] = (),
) -> Exercise:
    """An exercise whose answer is a value, compared with ``reference``.

    ``diagnoses`` pairs a test of the answer with the sentence shown when it
    holds, for wrong answers worth naming. The expected value is never shown.
    """

    def judge(answer: Any) -> str | None:
        if same(answer, reference):
            return None
        for test, message in diagnoses:
            try:
                if test(answer):
                    return message
            except Exception:  # a diagnosis that cannot read this answer does not apply
                continue
        return type_problem(answer, reference) or f"{show(answer)} is not it; try again, or ask for a hint()"

    return Exercise(
        key,
        question=question,
        kind="predict",
        reference=reference,
        judge=judge,
        hints=hints,
        solution=solution,
        mistakes=mistakes,
    )


def function_exercise(
    key: str,
    *,
    question: str,
    reference: Callable[..., Any],
    cases: Sequence[Case],
    hints: Sequence[str],
    solution: str,
    mistakes: dict[str, Callable[..., Any]],
    diagnoses: Sequence[Diagnosis] = (),
) -> Exercise:
    """An exercise whose answer is a function, run on every case beside ``reference``.

    On the first case where the two differ, the verdict shows the case, the
    expected value and the learner's, and names the mistake when one of
    ``diagnoses`` recognises it.
    """
    if not cases:
        raise ValueError(f"{key}: give at least one case")

    def judge(answer: Any) -> str | None:
        if not callable(answer):
            return f"expected a function (def ...), got {_type_name(answer)}"
        for case in cases:
            expected = reference(*case.args, **case.kwargs)
            head = f"on {case.description}, "
            try:
                got = call_learner(answer, *_copies(case.args), **case.kwargs)
            except LearnerError as failure:
                error = failure.error
                return f"{head}your code raised {type(error).__name__}: {error}\n  input: " + ", ".join(
                    show(arg) for arg in case.args
                )
            if same(got, expected):
                continue
            if got is None:
                return head + "your function returned None: did you forget the return line?"
            problem = type_problem(got, expected)
            named = None
            if problem is None or problem.startswith("the shape"):
                for diagnosis in diagnoses:
                    named = diagnosis(got, expected, case, reference)
                    if named:
                        break
            lines = [head + (named or problem or "the values differ")]
            lines.append("  input: " + ", ".join(show(arg) for arg in case.args))
            lines.append(f"  expected: {show(expected)}")
            lines.append(f"  yours: {show(np.asarray(got) if isinstance(expected, np.ndarray) else got)}")
            return "\n".join(lines)
        return None

    return Exercise(
        key,
        question=question,
        kind="implement",
        reference=reference,
        judge=judge,
        hints=hints,
        solution=solution,
        mistakes=mistakes,
    )


def design_exercise(
    key: str,
    *,
    question: str,
    reference: Any,
    judge: Callable[[Any], str | None],
    hints: Sequence[str],
    solution: str,
    mistakes: dict[str, Any],
) -> Exercise:
    """An exercise whose answer must have a property that ``judge`` tests (for example a kernel's effect).

    The judge receives the learner's answer as given; :func:`as_kernel` turns
    it into an array or raises :class:`AnswerProblem` saying why it cannot.
    """
    return Exercise(
        key,
        question=question,
        kind="design",
        reference=reference,
        judge=judge,
        hints=hints,
        solution=solution,
        mistakes=mistakes,
    )


def as_kernel(answer: Any, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """The answer as a float64 array, optionally of a given shape, or :class:`AnswerProblem`."""
    if answer is None or isinstance(answer, (str, bytes, dict)) or callable(answer):
        raise AnswerProblem(f"expected an array of numbers (a kernel), got {_type_name(answer)}")
    try:
        array = np.asarray(answer)
    except (ValueError, TypeError):
        raise AnswerProblem("expected a rectangular array of numbers (a kernel)") from None
    if array.dtype.kind not in "iuf":
        raise AnswerProblem(f"expected an array of numbers, got values of dtype {array.dtype}")
    if shape is not None and array.shape != shape:
        raise AnswerProblem(f"expected a kernel of shape {shape}, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise AnswerProblem("the kernel holds NaN or infinity")
    return array.astype(np.float64)


def _copies(args: tuple) -> tuple:
    """Copies of array arguments, so a learner's function that writes into its input cannot spoil the next case."""
    return tuple(arg.copy() if isinstance(arg, np.ndarray) else arg for arg in args)
