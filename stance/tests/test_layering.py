"""The stance app sits below claims: it is handed texts and ids and imports no app above it."""

import ast
from pathlib import Path

STANCE = Path(__file__).resolve().parents[1]
ABOVE = {"sources", "claims", "partners", "archive"}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_stance_code_imports_no_app_above_it():
    code = [p for p in STANCE.rglob("*.py") if "tests" not in p.relative_to(STANCE).parts]
    assert code
    upward = {
        f"{path.relative_to(STANCE)}: {module}"
        for path in code
        for module in imported_modules(path)
        if module.split(".")[0] in ABOVE
    }
    assert upward == set()
