"""Names a user may type as a project, a model or a field, gathered from where clashes come
from: Python's keywords and builtins, the standard library's top-level modules, the modules
of what a generated project installs, SQL's reserved words, the generated code's own names
(read from the golden project), and names at the length limits."""

from __future__ import annotations

import ast
import builtins
import keyword
import sys
from pathlib import Path

from fastsqla_cli.naming import MAX_IDENTIFIER, dependency_modules

GOLDEN = Path(__file__).parent / "golden" / "demo"


def _generated_names() -> set[str]:
    """Every name the default project's code binds: classes, functions, imports, variables
    and parameters."""
    names: set[str] = set()
    for path in GOLDEN.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).partition(".")[0])
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return {name for name in names if not name.startswith("_")}


KEYWORDS = {*keyword.kwlist, *keyword.softkwlist, "type"}
BUILTINS = {name for name in dir(builtins) if not name.startswith("_")}
STDLIB = {name for name in sys.stdlib_module_names if not name.startswith("_")}
DEPENDENCIES = set(dependency_modules())
# Reserved words of PostgreSQL, MySQL/MariaDB and SQLite that read like names.
SQL = set(
    [
        "add",
        "all",
        "alter",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "authorization",
        "between",
        "binary",
        "both",
        "by",
        "call",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "condition",
        "constraint",
        "create",
        "cross",
        "current_date",
        "current_time",
        "current_timestamp",
        "current_user",
        "database",
        "databases",
        "default",
        "deferrable",
        "delete",
        "desc",
        "describe",
        "distinct",
        "div",
        "do",
        "drop",
        "else",
        "end",
        "except",
        "exists",
        "explain",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "full",
        "grant",
        "group",
        "groups",
        "having",
        "ilike",
        "in",
        "index",
        "inner",
        "insert",
        "intersect",
        "interval",
        "into",
        "is",
        "join",
        "key",
        "keys",
        "kill",
        "lateral",
        "leading",
        "left",
        "like",
        "limit",
        "load",
        "localtime",
        "lock",
        "match",
        "natural",
        "not",
        "null",
        "of",
        "offset",
        "on",
        "option",
        "or",
        "order",
        "outer",
        "over",
        "partition",
        "placing",
        "primary",
        "range",
        "read",
        "references",
        "regexp",
        "release",
        "rename",
        "repeat",
        "replace",
        "require",
        "restrict",
        "return",
        "returning",
        "revoke",
        "right",
        "row",
        "rows",
        "schema",
        "select",
        "session_user",
        "set",
        "show",
        "some",
        "table",
        "then",
        "to",
        "trailing",
        "trigger",
        "true",
        "union",
        "unique",
        "update",
        "usage",
        "use",
        "user",
        "using",
        "values",
        "variadic",
        "when",
        "where",
        "window",
        "with",
        "without",
    ]
)
GENERATED = _generated_names()
LIMITS = {"a", "z" * MAX_IDENTIFIER, "n" * (MAX_IDENTIFIER + 1), "a1", "x_y"}

CORPUS = sorted(KEYWORDS | BUILTINS | STDLIB | DEPENDENCIES | SQL | GENERATED | LIMITS)
