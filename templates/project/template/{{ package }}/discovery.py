"""Models and routers are found, not listed: a module added to `models/` or `routers/` (as
`fastsqla add-model` adds one) is part of the app without an edit anywhere else."""

import importlib
import pkgutil
from collections.abc import Iterable
from types import ModuleType

from fastapi import APIRouter


def import_modules(package: str, path: Iterable[str]) -> list[ModuleType]:
    """Import every module of ``package`` (its ``__path__`` is ``path``), by name."""
    names = sorted(module.name for module in pkgutil.iter_modules(path))
    return [importlib.import_module(f"{package}.{name}") for name in names]


def routers_of(package: ModuleType) -> list[APIRouter]:
    """The ``router`` of every module of ``package`` that has one, by module name."""
    modules = import_modules(package.__name__, package.__path__)
    found = [getattr(module, "router", None) for module in modules]
    return [router for router in found if isinstance(router, APIRouter)]
