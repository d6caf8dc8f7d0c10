"""import_tensorflow's side effects, its oneDNN self-test and its behaviour when TensorFlow cannot be imported.

Each case runs in a fresh Python, since the point is what happens at a first
(or not first) import. Most use a fake ``tensorflow`` package written to a
temporary folder, which imports in milliseconds; one uses the real TensorFlow
to show the self-test catching the real oneDNN bug.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FAKE_TENSORFLOW = """
import os

import numpy as np

try:  # like TensorFlow's C++ logging, which ignores a closed fd 2
    os.write(2, b"fake TensorFlow: could not load dynamic library 'libfake.so'\\n")
except OSError:
    pass
if os.environ.get("FAKE_TF_FAIL") == "1":
    raise ImportError("fake TensorFlow failed to load")


class config:
    class experimental:
        tf32 = True

        @classmethod
        def enable_tensor_float_32_execution(cls, enabled):
            cls.tf32 = bool(enabled)

        @classmethod
        def tensor_float_32_execution_enabled(cls):
            return cls.tf32


class _Logger:
    def setLevel(self, level):
        pass


def get_logger():
    return _Logger()


def constant(value):
    return np.float32(value)


def zeros(shape):
    return np.zeros(shape, np.float32)


class nn:
    @staticmethod
    def conv2d(image, kernel, strides, padding):
        if np.shape(image) == (2, 2, 3, 1):  # the self-test
            right = [21.0, 0.0, 87.0, 0.0] if os.environ.get("FAKE_TF_ONEDNN_BUG") == "1" else [21.0, 54.0, 87.0, 120.0]
            return np.array(right).reshape(2, 2, 1, 1)
        return np.zeros((1, 3, 3, 1))
"""

SCENARIOS = r"""
import json
import os
import sys
import warnings

import helpers.quiet_tensorflow as quiet
from helpers import import_tensorflow

results = {}


def step(name, function):
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = function()
        results[name] = {"value": value, "warnings": [str(w.message) for w in caught if w.category is RuntimeWarning]}
    except BaseException as error:
        results[name] = {"error": f"{type(error).__name__}: {error}"}


def failing_import():
    os.environ["FAKE_TF_FAIL"] = "1"
    try:
        import_tensorflow()
    except ImportError as error:
        names = ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")
        return {"raised": str(error), "set": sorted(k for k in names if k in os.environ)}
    finally:
        os.environ["FAKE_TF_FAIL"] = "0"
    return "did not raise"


def with_stderr_none():
    sys.stderr = None
    try:
        import_tensorflow()
    finally:
        sys.stderr = sys.__stderr__
    return "ok"


def fresh(environment):
    sys.modules.pop("tensorflow", None)
    quiet._warned = False
    os.environ.update(environment)


def twice():
    import_tensorflow()
    import_tensorflow()
    return "ok"


def with_fd2_closed():
    sys.modules.pop("tensorflow", None)
    os.close(2)
    import_tensorflow()
    return "ok"


step("failing import", failing_import)
step("sys.stderr None", with_stderr_none)
fresh({"FAKE_TF_ONEDNN_BUG": "0"})
step("first import, no self-test", twice)
os.environ["FAKE_TF_ONEDNN_BUG"] = "1"
step("already imported, bug", twice)  # tensorflow is in sys.modules from the step before
fresh({"FAKE_TF_ONEDNN_BUG": "1", "TF_ENABLE_ONEDNN_OPTS": "1"})
step("forced on, bug", twice)
fresh({"FAKE_TF_ONEDNN_BUG": "0", "TF_ENABLE_ONEDNN_OPTS": "1"})
step("forced on, no bug", twice)
step("fd 2 closed", with_fd2_closed)
print(json.dumps(results))
"""


def _run_python(script: str, fake_tensorflow_in: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``script`` in a fresh interpreter that imports the helpers, and check that it exits 0.

    With ``fake_tensorflow_in``, a folder, the fake TensorFlow above is written there and imported instead
    of the real one, with TensorFlow's own variables unset; without it, the real TensorFlow, kept quiet.
    """
    if fake_tensorflow_in is None:
        env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
        env.update(PYTHONPATH=str(ROOT), MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3")
    else:
        (fake_tensorflow_in / "tensorflow").mkdir(exist_ok=True)
        (fake_tensorflow_in / "tensorflow" / "__init__.py").write_text(FAKE_TENSORFLOW)
        env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")}
        env.update(PYTHONPATH=f"{fake_tensorflow_in}{os.pathsep}{ROOT}", MPLBACKEND="Agg")
    timeout = 300 if fake_tensorflow_in is None else 120
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory):
    result = _run_python(SCENARIOS, fake_tensorflow_in=tmp_path_factory.mktemp("fake_tf"))
    return json.loads(result.stdout.splitlines()[-1]), result.stderr


def test_a_failed_import_replays_tensorflows_messages_and_sets_no_variables(fake_run):
    # issue 16 item 13: the messages went to /dev/null and TF_* stayed set
    results, stderr = fake_run
    assert results["failing import"]["value"] == {"raised": "fake TensorFlow failed to load", "set": []}
    assert "fake TensorFlow: could not load dynamic library 'libfake.so'" in stderr


@pytest.mark.parametrize("case", ["sys.stderr None", "fd 2 closed"])
def test_import_survives_a_missing_stderr(fake_run, case):
    # issue 16 item 13: sys.stderr.flush() and os.dup(2) raised
    results, _ = fake_run
    assert results[case].get("value") == "ok", results[case]


def test_a_first_import_runs_no_self_test_and_gives_no_warning(fake_run):
    results, _ = fake_run
    assert results["first import, no self-test"] == {"value": "ok", "warnings": []}


@pytest.mark.parametrize(
    ("case", "why", "fix"),
    [
        ("already imported, bug", "imported before helpers.import_tensorflow()", "restart the kernel"),
        ("forced on, bug", "TF_ENABLE_ONEDNN_OPTS is set", "unset TF_ENABLE_ONEDNN_OPTS (or set it to 0)"),
    ],
)
def test_the_self_test_warns_once_in_words_a_learner_understands(fake_run, case, why, fix):
    # issue 16 item 2: a wrong oneDNN result came back silently
    results, _ = fake_run
    assert results[case]["value"] == "ok"
    (warning,) = results[case]["warnings"]  # two calls, one warning
    assert "gave [21, 0, 87, 0] instead of [21, 54, 87, 120]" in warning
    assert "oneDNN" in warning and why in warning and fix in warning
    assert "tf = helpers.import_tensorflow()" in warning


def test_the_self_test_is_silent_when_tensorflow_gets_it_right(fake_run):
    results, _ = fake_run
    assert results["forced on, no bug"] == {"value": "ok", "warnings": []}


REAL_TENSORFLOW = textwrap.dedent(
    """
    import warnings

    import numpy as np
    import tensorflow  # a plain import first: oneDNN is left on

    image = np.arange(1.0, 13.0, dtype=np.float32).reshape(2, 2, 3, 1)
    kernel = np.array([1.0, 10.0], dtype=np.float32).reshape(1, 2, 1, 1)
    got = tensorflow.nn.conv2d(image, kernel, strides=[1, 1, 2, 1], padding="VALID").numpy().ravel().tolist()
    import helpers

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        helpers.import_tensorflow()
    print("BUG" if got != [21.0, 54.0, 87.0, 120.0] else "NO BUG")
    for warning in caught:
        if warning.category is RuntimeWarning:
            print("WARNING", warning.message)
    """
)


def test_the_self_test_catches_the_real_onednn_bug_after_a_plain_import():
    # issue 16 item 2, with the real TensorFlow: on CPUs where the bug shows (this course's machines) it warns
    lines = _run_python(REAL_TENSORFLOW).stdout.splitlines()
    warnings_given = [line for line in lines if line.startswith("WARNING")]
    if lines[0] == "BUG":
        assert len(warnings_given) == 1 and "instead of [21, 54, 87, 120]" in warnings_given[0]
    else:
        assert warnings_given == []


TF32_AFTER_IMPORT = textwrap.dedent(
    """
    import helpers

    tf = helpers.import_tensorflow()  # a first import in this process
    print("after the first import:", tf.config.experimental.tensor_float_32_execution_enabled())
    tf.config.experimental.enable_tensor_float_32_execution(True)
    print("switched back on:", tf.config.experimental.tensor_float_32_execution_enabled())
    helpers.import_tensorflow()
    print("after a second call:", tf.config.experimental.tensor_float_32_execution_enabled())
    """
)


def test_import_tensorflow_turns_tf32_off():
    # issue 19 item 4: TensorFlow allows TF32 by default, which costs float32 convolutions ~3 digits on recent GPUs
    assert _run_python(TF32_AFTER_IMPORT).stdout.splitlines() == [
        "after the first import: False",
        "switched back on: True",  # the switch works, so False above is import_tensorflow's doing
        "after a second call: False",
    ]


def test_the_fake_records_tf32_off_after_import_tensorflow(tmp_path):
    # the same with the fake TensorFlow, whose TF32 flag starts True: the helper calls the switch
    script = (
        "import tensorflow; before = tensorflow.config.experimental.tensor_float_32_execution_enabled()\n"
        "import helpers; tf = helpers.import_tensorflow()\n"
        "print(before, tf.config.experimental.tensor_float_32_execution_enabled())"
    )
    assert _run_python(script, fake_tensorflow_in=tmp_path).stdout.split() == ["True", "False"]
