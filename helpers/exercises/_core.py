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
its check must reject, each stated once, with the sentence the check says when
it meets that answer (a :class:`Mistake`), or bare when the exercise's rules
explain it. ``tests/test_exercises.py`` runs them all, so a checker that lets
a wrong answer through, or names it wrongly, is caught.

The learner's code runs under a time limit (:data:`TIME_LIMIT` seconds for one
``check``), so an answer that never returns is stopped with a message instead
of hanging the notebook.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import numbers
import signal
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "FRACTIONS_LOST",
    "INPUT_UNCHANGED",
    "KERNEL_TURNED",
    "NOT_ATTEMPTED",
    "SHIFTED_BY_ONE",
    "TIME_LIMIT",
    "UINT8_CLIPPED",
    "UINT8_WRAPPED",
    "AnswerProblem",
    "Case",
    "Exercise",
    "Mistake",
    "Verdict",
    "as_kernel",
    "as_sequence",
    "call_learner",
    "design_exercise",
    "frozen",
    "function_exercise",
    "plain",
    "same",
    "show",
    "value_exercise",
]

#: What a check prints while the learner's cell still holds the stub.
NOT_ATTEMPTED = "Not attempted yet: replace the ... in the cell above with your answer, then run the cell again."

#: Absolute and relative tolerance when comparing numbers that are not whole (whole numbers must match exactly).
TOLERANCE = 1e-6

#: Seconds the learner's code may run during one ``check`` before it is stopped.
TIME_LIMIT = 5.0


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


class TimeLimitReached(BaseException):
    """Raised inside the learner's code when it has run past :data:`TIME_LIMIT`.

    A ``BaseException``, so that an ``except Exception`` in the learner's own
    loop cannot swallow it.
    """


class LearnerError(Exception):
    """The learner's own code raised, or ran out of time; ``error`` is what stopped it."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(_text(error))
        self.error = error

    def describe(self) -> str:
        """What happened, in words: the error the code raised, or that it was stopped."""
        if isinstance(self.error, TimeLimitReached):
            return (
                f"your code was still running after {TIME_LIMIT:g} seconds, so the check stopped it: "
                "does a loop never end (a while loop whose condition never changes)?"
            )
        return f"your code raised {type(self.error).__name__}: {_text(self.error)}"


_deadline: float | None = None  # when the learner's time in the current check runs out (time.monotonic())


@contextlib.contextmanager
def _one_check() -> Iterator[None]:
    """Give the learner's code :data:`TIME_LIMIT` seconds in all for the calls inside (nested checks share it)."""
    global _deadline
    if _deadline is not None:
        yield
        return
    _deadline = time.monotonic() + TIME_LIMIT
    try:
        yield
    finally:
        _deadline = None


_armed = 0  # how many _time_limit blocks are running: the alarm stops code only inside one

#: Once the time is up, the alarm repeats this often (seconds) until the code inside stops, so a
#: bare ``except:`` in the learner's loop that swallows one stop cannot keep the check running.
_REPEAT = 0.05

#: Seconds the checker itself may take past :data:`TIME_LIMIT` in one check: reading the answer
#: (its ``__eq__``, ``__array__``, ``__repr__`` are the learner's code too) and explaining it.
_JUDGE_GRACE = 2.0


_stop_sent = False  # the alarm has raised once in this block; raising again means the code swallowed it
_tracing = False  # the learner's code is being stopped at every line it runs (see _stop)
_trace_before: Any = None  # the trace function (a debugger, coverage) to give back


def _stop(signum: int, frame: Any) -> None:
    """The alarm: stop the code, and if it swallowed the last stop (a bare ``except:``), stop it at every line."""
    global _stop_sent, _tracing, _trace_before
    if not _armed:
        return
    if _stop_sent and not _tracing:
        _tracing, _trace_before = True, sys.gettrace()
        sys.settrace(_stop_each_line)
        while frame is not None:
            frame.f_trace = _stop_each_line
            frame = frame.f_back
    _stop_sent = True
    raise TimeLimitReached()


def _stop_each_line(frame: Any, event: str, arg: object) -> Any:
    """A trace function that raises at each line of code that is not the checker's own.

    The error raised inside an ``except`` block leaves its ``try``, so a loop
    that swallows every error still ends.
    """
    if not _tracing:
        return None
    if event == "line" and frame.f_globals.get("__name__") not in (__name__, "contextlib"):
        raise TimeLimitReached()
    return _stop_each_line


def _stop_tracing() -> None:
    global _tracing, _stop_sent
    _stop_sent = False
    if not _tracing:
        return
    _tracing = False
    sys.settrace(_trace_before)
    frame = sys._getframe()
    while frame is not None:
        if frame.f_trace is _stop_each_line:
            frame.f_trace = None
        frame = frame.f_back


@contextlib.contextmanager
def _time_limit(grace: float = 0.0) -> Iterator[None]:
    """Stop the code inside when the check's time (plus ``grace``) is up (SIGALRM: main thread, not Windows).

    The alarm repeats every :data:`_REPEAT` seconds after that until the code
    leaves the block; a block inside another gives the outer one's timer back.
    """
    global _armed
    seconds = (TIME_LIMIT if _deadline is None else _deadline - time.monotonic()) + grace
    if seconds <= 0:
        raise TimeLimitReached()
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield  # no timer here: the code runs as long as it runs
        return
    previous_handler = signal.signal(signal.SIGALRM, _stop)
    started = time.monotonic()
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT)
    _armed += 1
    try:
        yield
    finally:
        _armed -= 1
        _stop_tracing()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay > 0:  # someone else's timer was running: give it back what is left of it
            left = max(previous_delay - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, previous_interval)


def call_learner(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the learner's function under the time limit; whatever stops it comes back as :class:`LearnerError`.

    That includes ``SystemExit`` (``exit()`` or ``sys.exit()`` in the answer)
    and the other ``BaseException`` classes; only ``KeyboardInterrupt``, the learner
    pressing stop, goes through.
    """
    try:
        with _time_limit():
            return function(*args, **kwargs)
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        raise LearnerError(error) from None


def _text(error: BaseException) -> str:
    """``str(error)``, or nothing when the error's own ``__str__`` fails."""
    try:
        return str(error)
    except Exception:
        return ""


@dataclass(frozen=True)
class Mistake:
    """A wrong answer of the common kind, and what the check says when it meets it.

    ``answer`` is the wrong answer: a value, or for an implement exercise a
    wrong function. ``message`` is the sentence shown when the learner's answer
    is that one (for a function: gives the same results on every case; the
    message may then be a function of the case shown, to quote its numbers);
    ``None`` leaves the explanation to the exercise's rules.
    """

    answer: Any
    message: str | Callable[[Case], str] | None = None


def _split_mistakes(mistakes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The wrong answers by name, and their messages by name, from entries that are a :class:`Mistake` or bare."""
    answers = {name: m.answer if isinstance(m, Mistake) else m for name, m in mistakes.items()}
    messages = {name: m.message if isinstance(m, Mistake) else None for name, m in mistakes.items()}
    return answers, messages


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


def _is_whole_type(value: object) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


#: A 1-D array longer than this is no shape or short list: it stays an array (a list of 10**8 Python ints is gigabytes).
_LONGEST_SEQUENCE = 10_000


def as_sequence(value: object) -> object:
    """A shape-like or scalar-like answer in plain Python: a list or a number.

    A 1-D array, an object with ``as_list()`` such as TensorFlow's
    ``TensorShape``, or one that NumPy can read as a 1-D array (a tensor)
    becomes a list; a 0-d array becomes its number. Anything else comes back
    unchanged.

    >>> as_sequence(np.array([3, 5])), as_sequence(np.array(7))
    ([3, 5], 7)
    """
    if isinstance(value, (str, bytes, dict, list, tuple, np.generic)) or value is None:
        return value
    as_list = getattr(value, "as_list", None)
    if callable(as_list) and not isinstance(value, np.ndarray):
        try:
            listed = as_list()
        except Exception:  # a TensorShape of unknown rank, or something else that only looks like one
            return value
        return listed if isinstance(listed, list) else value
    if isinstance(value, np.ndarray) or hasattr(value, "__array__"):
        try:
            array = np.asarray(value)
        except Exception:
            return value
        if array.ndim == 0 and array.dtype.kind in "biuf":
            return array.item()
        if array.ndim == 1 and array.dtype.kind in "biuf" and array.size <= _LONGEST_SEQUENCE:
            return array.tolist()
    return value


def _held(value: object) -> object:
    """The plain ``int``, ``float`` or ``str`` a subclass holds, whatever its own methods say.

    >>> class Liar(int):
    ...     def __int__(self):
    ...         return 260
    >>> _held(Liar(0))
    0
    """
    if isinstance(value, int) and type(value) is not int and not isinstance(value, bool):
        return int.__index__(value)
    if isinstance(value, float) and type(value) is not float:
        return float.__float__(value)
    if isinstance(value, str) and type(value) is not str:
        return str.__str__(value)
    return value


def _same_number(got: object, expected: object) -> bool:
    got = _held(got)
    if not _is_number(got):
        return False
    if _is_whole_type(expected):  # counts (pixels, bytes, weights) must be exact: 1e-6 of 3.8e9 bytes is kilobytes
        if _is_whole_type(got):
            return int(got) == int(expected)
        return bool(np.isfinite(float(got))) and float(got).is_integer() and int(float(got)) == int(expected)
    return bool(np.isclose(float(got), float(expected), rtol=TOLERANCE, atol=TOLERANCE))


def same(got: object, expected: object) -> bool:
    """Whether ``got`` equals ``expected``: arrays by shape and values, numbers within tolerance, whole numbers exactly.

    >>> same([3, 5.0], (3, 5)), same(3774873600.0, 3774873600), same(3774873601, 3774873600)
    (True, True, False)
    """
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
        return _same_number(as_sequence(got), expected)  # a 0-d array or tensor answers a number as well
    if isinstance(expected, (tuple, list)):
        got = as_sequence(got)  # np.array([3, 5]), a tensor or a TensorShape answers (3, 5) as well
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return False
        return all(same(g, e) for g, e in zip(got, expected, strict=True))
    if isinstance(expected, str):
        return isinstance(got, str) and str.strip(got) == expected  # str.strip: a subclass cannot say otherwise
    try:
        return bool(got == expected)
    except (ValueError, TypeError):  # an array compared with a scalar-like reference
        return False


def plain(value: object) -> object:
    """NumPy scalars inside tuples and lists as Python numbers, so that they print as ``4``, not ``np.int64(4)``.

    >>> plain((np.int64(4), [np.float64(0.5)]))
    (4, [0.5])
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


#: NumPy's print options for :func:`show`, all of them, so that a learner's ``np.set_printoptions``
#: (in their own code, or inside the function a check runs) cannot change what a check prints.
_PRINT_OPTIONS = {
    "precision": 3,
    "threshold": 1000,
    "edgeitems": 3,
    "linewidth": 75,
    "suppress": True,
    "nanstr": "nan",
    "infstr": "inf",
    "sign": "-",
    "floatmode": "maxprec",
    "legacy": False,
    "formatter": None,
    "override_repr": None,
}


def show(value: object, limit: int = 8) -> str:
    """A short text picture of a value: small arrays in full, large ones by shape, numbers plain."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind == "O":
        return show(value.item(), limit)  # np.asarray of something that is not an array: show that thing
    if isinstance(value, np.ndarray):
        if value.ndim <= 2 and max(value.shape, default=0) <= limit:
            with np.printoptions(**_PRINT_OPTIONS):
                body = np.array2string(np.asarray(value), separator=", ")
            return body if value.ndim < 2 else "\n" + textwrap.indent(body, "    ")
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if inspect.isgenerator(value):
        return "a generator"
    with np.printoptions(**_PRINT_OPTIONS):
        text = repr(plain(value))
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
    if inspect.isgenerator(got):
        return "got a generator (a function with yield makes one): return the value instead of yielding it"
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
    if _is_number(expected) and not _is_number(as_sequence(got)):
        return f"expected a number, got {_type_name(got)}"
    if isinstance(expected, (tuple, list)):
        got = as_sequence(got)
        if not isinstance(got, (tuple, list)):
            return f"expected {describe_kind(expected)}, got {_type_name(got)}"
        if len(got) != len(expected):
            return f"expected {len(expected)} values, got {len(got)}"
    return None


# --------------------------------------------------------------------------
# Rules for function exercises: each names a *kind* of wrong output (not one
# wrong function, which is a Mistake). A rule takes (got, expected, case,
# reference) for the first case the answer gets wrong and returns a sentence
# when the learner's output there is explained by it, else None.

Rule = Callable[[Any, Any, Case, Callable[..., Any]], str | None]


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


def FRACTIONS_LOST(got, expected, case, reference):
    """The values are the expected ones without their fractions: an integer output array."""
    values, wanted = _as_float(got), np.asarray(expected, dtype=np.float64)
    if values is None or values.shape != wanted.shape or wanted.dtype.kind != "f":
        return None
    if np.allclose(wanted, np.round(wanted)) or np.allclose(values, wanted, rtol=TOLERANCE, atol=TOLERANCE):
        return None
    if any(np.array_equal(values, cut(wanted)) for cut in (np.trunc, np.floor, np.round)):
        return (
            "your values lost their fractions: something made them whole numbers (an integer output array, as "
            "np.zeros_like of an integer image or dtype=int makes, .astype(int), or rounding); keep them float64"
        )
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
        An entry is a :class:`Mistake` (the answer and what the check says when
        it meets it) or the bare wrong answer. For a value (not a function), a
        wrong answer equal to a Mistake's gets that Mistake's message.
    cases : sequence of Case, optional
        The inputs an implement exercise runs the learner's function on.

    Attributes
    ----------
    mistakes : dict
        The wrong answers by name.
    messages : dict
        What the check says for each, by name (``None``: the judge's own words).

    Examples
    --------
    >>> q = value_exercise("00.q1", question="2 + 2?", reference=4, hints=["Count."], solution="answer = 4",
    ...                    mistakes={"three": Mistake(3, "one short"), "five": 5, "text": "4"})
    >>> q.check(...)
    Not attempted yet: replace the ... in the cell above with your answer, then run the cell again.
    False
    >>> q.check(3)
    Not yet: one short
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
        cases: Sequence[Case] = (),
    ) -> None:
        if kind not in ("predict", "implement", "design"):
            raise ValueError(f"kind must be 'predict', 'implement' or 'design', got {kind!r}")
        if not hints:
            raise ValueError(f"{key}: give at least one hint")
        self.key = key
        self.question = question
        self.kind = kind
        for part in reference if isinstance(reference, tuple) else (reference,):
            if isinstance(part, np.ndarray):
                part.setflags(write=False)  # the judge compares with it: nobody may change it in place
        self.reference = reference
        self.hints = list(hints)
        self.mistakes, self.messages = _split_mistakes(mistakes)
        self.cases = list(cases)
        self._judge = judge
        self._solution = textwrap.dedent(solution).strip()
        self._hints_given = 0

    def __repr__(self) -> str:
        return f"<exercise {self.key} ({self.kind}): {self.question}>"

    def verdict(self, answer: Any) -> str | None:
        """``None`` if ``answer`` is right, else what is wrong (never raises for a learner's answer).

        Reading the answer runs the learner's code as well (an object's
        ``__eq__``, ``__array__`` or ``__repr__``), so the whole check runs
        under the time limit (with :data:`_JUDGE_GRACE` seconds for the
        checker's own work), and an error from the answer's methods is the
        verdict, not a traceback.
        """
        if is_stub(answer):
            return NOT_ATTEMPTED
        answer = _held(answer)  # a str, int or float subclass is judged by what it holds, not by its own methods
        with _one_check():
            try:
                with _time_limit(grace=_JUDGE_GRACE):
                    return self._judged(answer)
            except LearnerError as failure:
                return failure.describe()
            except TimeLimitReached:
                return LearnerError(TimeLimitReached()).describe()
            except Exception as error:  # the answer's own methods raised
                return f"your answer could not be read: it raised {type(error).__name__}: {_text(error)}"

    def _judged(self, answer: Any) -> str | None:
        try:
            problem = self._judge(answer)
        except AnswerProblem as problem_raised:
            problem = str(problem_raised)
        if problem is None or callable(answer):
            return problem
        return self._named(answer) or problem

    def _named(self, answer: Any) -> str | None:
        """The message of the listed mistake that ``answer`` (a value) equals, if any."""
        for name, message in self.messages.items():
            if message is None:
                continue
            try:
                if same(answer, self.mistakes[name]):
                    return message
            except Exception:  # an answer that cannot even be compared is not this mistake
                continue
        return None

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
    rules: Sequence[tuple[Callable[[Any], bool], str]] = (),
) -> Exercise:
    """An exercise whose answer is a value, compared with ``reference``.

    A wrong answer equal to one of ``mistakes`` gets that :class:`Mistake`'s
    message. ``rules`` pair a test of the answer with the sentence shown when
    it holds, for kinds of wrong answer (not one answer: that is a Mistake);
    the answer reaches a test as a list when it is a 1-D array or a
    ``TensorShape``. The expected value is never shown.
    """

    def judge(answer: Any) -> str | None:
        if same(answer, reference):
            return None
        readable = as_sequence(answer)
        for test, message in rules:
            try:
                if test(readable):
                    return message
            except Exception:  # a rule that cannot read this answer does not apply
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


def _dtype_fits(held: np.dtype, wanted: str) -> bool:
    """Whether ``held`` is the dtype named ``wanted``, or of one of the kinds whose letters ``wanted`` lists."""
    if set(wanted) <= set("biufc"):
        return held.kind in wanted
    return held == np.dtype(wanted)


@dataclass
class _Outcome:
    """What one call of a function gave: a value, or the :class:`LearnerError` that stopped it."""

    value: Any = None
    failure: LearnerError | None = None


def _run_case(function: Callable[..., Any], case: Case, *, timed: bool = True) -> _Outcome:
    """Run ``function`` on a copy of the case: the learner's under the time limit, a listed mistake without."""
    try:
        if timed:
            return _Outcome(value=call_learner(function, *_copies(case.args), **case.kwargs))
        return _Outcome(value=function(*_copies(case.args), **case.kwargs))
    except LearnerError as failure:
        return _Outcome(failure=failure)
    except Exception as error:
        return _Outcome(failure=LearnerError(error))


def _same_outcome(mine: _Outcome, theirs: _Outcome) -> bool:
    if mine.failure or theirs.failure:
        return bool(mine.failure and theirs.failure) and not isinstance(mine.failure.error, TimeLimitReached)
    try:
        return same(mine.value, theirs.value)
    except Exception:
        return False


def function_exercise(
    key: str,
    *,
    question: str,
    reference: Callable[..., Any],
    cases: Sequence[Case],
    hints: Sequence[str],
    solution: str,
    mistakes: dict[str, Any],
    rules: Sequence[Rule] = (),
    dtype: tuple[str, str] | None = None,
) -> Exercise:
    """An exercise whose answer is a function, run on every case beside ``reference``.

    On the first case where the two differ, the verdict shows the case, the
    expected value and the learner's, and names the mistake: a
    :class:`Mistake` whose function gives the learner's results on *every*
    case (so a formula is never named after one case where it happens to agree
    with another), else the first of ``rules`` that explains that case.

    ``dtype`` is ``(wanted, why)`` when the question names the result's type:
    ``wanted`` a dtype's name (``"uint8"``) or the letters of the kinds allowed
    (``"f"``: any float; ``"iu"``: any integer). Right values of another dtype
    are still wrong, and ``why`` says what to do.
    """
    if not cases:
        raise ValueError(f"{key}: give at least one case")
    answers, messages = _split_mistakes(mistakes)
    named_functions = {name: answers[name] for name, message in messages.items() if message}
    mistake_outcomes: dict[str, list[_Outcome]] = {}  # filled on first use: the mistakes' results on every case

    def mistake_named(outcomes: list[_Outcome], case: Case) -> str | None:
        for name, wrong in named_functions.items():
            if name not in mistake_outcomes:
                mistake_outcomes[name] = [_run_case(wrong, each, timed=False) for each in cases]
            if all(_same_outcome(mine, theirs) for mine, theirs in zip(outcomes, mistake_outcomes[name], strict=True)):
                message = messages[name]
                return message(case) if callable(message) else message
        return None

    def judge(answer: Any) -> str | None:
        if not callable(answer):
            return f"expected a function (def ...), got {_type_name(answer)}"
        outcomes = []
        for case in cases:
            outcome = _run_case(answer, case)
            outcomes.append(outcome)
            expected = reference(*case.args, **case.kwargs)
            if outcome.failure is None and same(outcome.value, expected):
                held = np.asarray(outcome.value).dtype
                if dtype is not None and not _dtype_fits(held, dtype[0]):
                    return f"on {case.description}, the values are right, but the result is {held}: {dtype[1]}"
                continue
            return explain(answer, len(outcomes) - 1, expected, outcomes)
        return None

    def explain(answer: Callable[..., Any], index: int, expected: Any, outcomes: list[_Outcome]) -> str:
        case = cases[index]
        head = f"on {case.description}, "
        inputs = "  input: " + ", ".join(show(arg) for arg in case.args)
        got, failure = outcomes[index].value, outcomes[index].failure
        if failure is None and got is None:
            return head + "your function returned None: did you forget the return line?"
        for later in cases[index + 1 :]:  # a mistake is named only if it gives the answer's results on every case
            outcomes.append(_run_case(answer, later))
        named = mistake_named(outcomes, case)
        if failure is not None:
            return f"{head}{named or failure.describe()}\n{inputs}"
        problem = type_problem(got, expected)
        if named is None and (problem is None or problem.startswith("the shape")):
            for rule in rules:
                named = rule(got, expected, case, reference)
                if named:
                    break
        lines = [head + (named or problem or "the values differ"), inputs]
        lines.append(f"  expected: {show(expected)}")
        lines.append(f"  yours: {show(np.asarray(got) if isinstance(expected, np.ndarray) else got)}")
        return "\n".join(lines)

    return Exercise(
        key,
        question=question,
        kind="implement",
        reference=reference,
        judge=judge,
        hints=hints,
        solution=solution,
        mistakes=mistakes,
        cases=cases,
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
    it into an array or raises :class:`AnswerProblem` saying why it cannot. A
    wrong answer equal to one of ``mistakes`` gets that :class:`Mistake`'s
    message instead of the judge's.
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


def frozen(values: Any) -> np.ndarray:
    """A read-only copy, for an array that a question names: the learner may read it, not change it.

    A check keeps its own copy as well, so even an array made writable again and
    changed cannot turn a right answer wrong.

    >>> K = frozen([[0, 1], [2, 3]])
    >>> K.flags.writeable
    False
    """
    array = np.array(values)
    array.setflags(write=False)
    return array


def _copies(args: tuple) -> tuple:
    """Copies of array arguments, so a learner's function that writes into its input cannot spoil the next case."""
    return tuple(arg.copy() if isinstance(arg, np.ndarray) else arg for arg in args)
