"""The README's first program is real: it assembles, runs and prints exactly
the output the README shows."""
import os
import re
import subprocess
import sys
from progs import needs_block_counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@needs_block_counter
def test_readme_first_program_output_is_what_the_readme_shows(tmp_path):
    text = open(os.path.join(ROOT, "README.md")).read()
    src = re.search(r"```asm\n(.*?)```", text, re.S).group(1)
    shown = re.search(r"```console\n\$ \.venv/bin/ppcvec run first\.S --trace\n(.*?)```", text, re.S).group(1)
    (tmp_path / "first.S").write_text(src)
    p = subprocess.run([sys.executable, "-m", "harness.cli", "run", "first.S", "--trace"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": ROOT})
    assert p.returncode == 12, p.stderr           # attn: the exit code is r3 = FSCR[IC]
    assert p.stdout == shown


def test_readme_python_api_example_runs(tmp_path, monkeypatch):
    text = open(os.path.join(ROOT, "README.md")).read()
    src = re.search(r"```asm\n(.*?)```", text, re.S).group(1)
    example = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    (tmp_path / "first.S").write_text(src)
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "README.md", "exec"), {})
