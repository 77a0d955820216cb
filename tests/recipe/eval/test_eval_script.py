"""``examples/eval_medu1.sh`` takes its suite from the dataset registry and hands the paper's sampling
with training's 4096-token response length to the evaluator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from data_preprocess.registry import eval_suite

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "examples" / "eval_medu1.sh"


def run_script(tmp_path: Path, python: str, *extra: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATA_ROOT": str(tmp_path / "data"),
        "OUT_DIR": str(tmp_path / "out"),
        "PYTHON": python,
    }
    return subprocess.run(
        ["bash", str(SCRIPT), "some/model", *extra], env=env, capture_output=True, text=True
    )


def test_missing_suite_files_are_the_registry_suite(tmp_path: Path) -> None:
    done = run_script(tmp_path, sys.executable)
    assert done.returncode == 1
    missing = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("missing: ")]
    assert missing == [str(tmp_path / "data" / entry) for entry in eval_suite()]


def test_evaluator_arguments(tmp_path: Path) -> None:
    """With every suite file present, the script execs the evaluator; a stand-in PYTHON prints its argv."""
    for entry in eval_suite():
        (tmp_path / "data" / entry).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "data" / entry).touch()
    echo = tmp_path / "python"
    # The registry call is answered by the real interpreter, the evaluator call is echoed.
    echo.write_text(
        "#!/usr/bin/env bash\n"
        f'if [[ "$2" == data_preprocess.registry ]]; then exec {sys.executable} "$@"; fi\n'
        'printf "%s\\n" "$@"\n'
    )
    echo.chmod(0o755)
    done = run_script(tmp_path, str(echo), "--n", "4")
    assert done.returncode == 0, done.stderr
    argv = done.stdout.splitlines()
    assert argv[:2] == ["-m", "recipe.medu1.eval"]
    data = argv[argv.index("--data") + 1 : argv.index("--output_dir")]
    assert data == [str(tmp_path / "data" / entry) for entry in eval_suite()]
    assert argv[argv.index("--max_new_tokens") + 1] == "4096"
    assert argv[argv.index("--temperature") + 1] == "0.2" and argv[-2:] == ["--n", "4"]
