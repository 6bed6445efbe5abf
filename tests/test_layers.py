"""The architecture contract (DESIGN.md "Layers"): import-linter's layers hold, and no app reaches another from inside
a function (a lazy import dodging a cycle hides the dependency from a reader; the layers make it unnecessary)."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "jinguo"

# Function-local imports of another jinguo app that must stay, each with its reason (keep this list short).
ALLOWED_LAZY: dict[tuple[str, str], str] = {}


def _lint_imports() -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's jinguo, whichever one the venv installed
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_import_linter_contracts_are_kept():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_a_lazy_upward_import_breaks_the_contract():
    """The contract sees imports inside functions: core naming a domain model lazily is a broken layer."""
    probe = PACKAGE / "core" / "_layers_probe.py"
    probe.write_text("def probe():\n    from jinguo.petitions.models import Case\n\n    return Case\n")
    try:
        result = _lint_imports()
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "jinguo.core._layers_probe -> jinguo.petitions.models" in result.stdout


def _app_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else ""


def test_no_function_local_import_of_another_app():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        app = _app_of(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                module = inner.module if isinstance(inner, ast.ImportFrom) else None
                if isinstance(inner, ast.Import):
                    module = next((a.name for a in inner.names if a.name.startswith("jinguo.")), None)
                if not module or not module.startswith("jinguo."):
                    continue
                target = module.split(".")[1]
                where = f"{path.relative_to(ROOT)}:{inner.lineno}"
                if target != app and (str(path.relative_to(ROOT)), module) not in ALLOWED_LAZY:
                    found.append(f"{where} imports {module} inside {node.name}()")
    assert not found, "import these at module level (the layers allow it) or invert the dependency:\n" + "\n".join(
        found)
