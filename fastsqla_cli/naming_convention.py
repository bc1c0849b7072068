"""The names the project's naming convention gives its constraints and indexes, which the
revisions fastsqla writes must spell as the models' metadata does. The convention is
written once, as `NAMING_CONVENTION` in the template's `database.py`, and read from there."""

from __future__ import annotations

import ast
import re
from functools import cache

from fastsqla_cli.templates import templates_dir


@cache
def naming_convention() -> dict[str, str]:
    """`NAMING_CONVENTION` of the template's `database.py` (a Jinja file: that statement,
    not the whole module, is Python)."""
    path = templates_dir() / "project" / "template" / "{{ package }}" / "database.py.jinja"
    found = re.search(r"^NAMING_CONVENTION = (\{.*?^\})", path.read_text("utf-8"), re.M | re.S)
    assert found is not None, f"{path} has no NAMING_CONVENTION"
    convention = ast.literal_eval(found.group(1))
    assert isinstance(convention, dict)
    return convention


def constraint_name(kind: str, table: str, column: str = "", referred_table: str = "") -> str:
    """The name of a ``kind`` (`pk`, `uq`, `ix`, `fk`, `ck`) constraint of ``table`` on its
    ``column``; a `ck` is named for its column, as an enum's `Enum(name=column)` is."""
    return naming_convention()[kind] % {
        "table_name": table,
        "column_0_name": column,
        "column_0_label": f"{table}_{column}",
        "referred_table_name": referred_table,
        "constraint_name": column,
    }
