"""How a generated module spells what it imports: `import` lines, and a name the user's
own names would shadow reached through its module instead; and the one-line calls the
templates write, which ruff lays out afterwards."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass

from fastsqla_cli.field_types import Import


def import_lines(imports: Iterable[Import]) -> str:
    """``(module, name)`` as ``from module import name``, ``(module, "")`` as ``import
    module``; one per line, in any order: ruff sorts them into sections."""
    return "\n".join(
        sorted(
            f"from {module} import {name}" if name else f"import {module}"
            for module, name in set(imports)
        )
    )


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Namespace:
    """What one generated module calls each name it imports.

    Usually the name itself. When the module also binds that name to something of the
    user's (a model `Date` beside SQLAlchemy's `Date`, a model `Depends` in its router),
    the imported one is reached through its module instead (`sqlalchemy.Date`,
    `fastapi.Depends`), so that any model name works."""

    imports: tuple[Import, ...]
    qualified: Mapping[str, str]  # name -> `module.name`, for the names that clash

    def __getitem__(self, name: str) -> str:
        return self.qualified.get(name, name)

    def qualify(self, expression: str) -> str:
        """``expression`` (a type or a call such as `String(200)`) in this module's names."""
        return _IDENTIFIER.sub(lambda found: self[found.group()], expression)


def namespace(
    imports: Iterable[Import], users: Iterable[str], avoid: Iterable[str] = ()
) -> Namespace:
    """The names of a module that imports ``imports`` and binds ``users`` (the user's
    names: its model classes, and its field names, which shadow a name in the class body
    after them); ``avoid`` are other names it binds, which a module imported for
    qualifying must not shadow either. ``("builtins", name)`` stands for a builtin the
    module uses: imported (`import builtins`) only when a user's name shadows it."""
    clashing = set(users)
    taken = clashing | set(avoid)
    kept: list[Import] = []
    qualified: dict[str, str] = {}
    aliases: dict[str, str] = {}  # module -> its name here, for the modules qualified
    for module, name in dict.fromkeys(imports):
        if name not in clashing:
            if module != "builtins":  # always there, unless shadowed
                kept.append((module, name))
            continue
        if module not in aliases:
            parent, _, last = module.rpartition(".")
            alias = free_name(last, taken, prefix="_")
            taken.add(alias)
            aliases[module] = alias
            suffix = "" if alias == last else f" as {alias}"
            kept.append((parent, last + suffix) if parent else (module + suffix, ""))
        qualified[name] = f"{aliases[module]}.{name}"
    return Namespace(tuple(kept), qualified)


def free_name(wanted: str, taken: Container[str], *, prefix: str = "", suffix: str = "") -> str:
    """``wanted``, or the first of it with ``prefix`` and ``suffix`` added again and again
    that is not ``taken``: the one way a generated module names something of its own
    beside the user's names."""
    if not (prefix or suffix):
        raise ValueError("free_name needs a prefix or a suffix to add")
    name = wanted
    while name in taken:
        name = f"{prefix}{name}{suffix}"
    return name


PLAIN = Namespace((), {})


def in_package(package: str, imports: Iterable[Import]) -> list[Import]:
    return [(module.format(package=package), name) for module, name in imports]


def call(function: str, args: Iterable[str]) -> str:
    """``function(args)`` on one line; ruff wraps it if it is too long."""
    return f"{function}({', '.join(args)})"


def assignment(target: str, function: str, args: list[str]) -> str:
    """``target = function(args)``, on one line."""
    return f"{target} = {call(function, args)}"
