"""Render the project template, a copier template, without importing copier.

Importing copier costs more than all the rest of ``fastsqla new`` (questionary,
prompt_toolkit, pydantic and plumbum come with it; 0.3 s on a fast machine, 0.8 s on a
slow one), and copier runs ``git`` once per file it writes. ``fastsqla new`` needs a small
part of copier's format, so this module renders exactly that part and refuses a template
that asks for more. The test suite renders the template with copier too and requires the
same bytes, so the template stays a copier template anyone can render with ``copier copy``.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

SETTINGS = {"_subdirectory", "_answers_file", "_envops", "_exclude"}
ENVOPS = {"undefined", "keep_trailing_newline", "trim_blocks", "lstrip_blocks"}
QUESTION_KEYS = {"type", "help", "default", "choices", "when"}
SUFFIX = ".jinja"


class UnsupportedTemplate(Exception):
    """The template uses a part of copier's format that this renderer does not implement."""


def to_nice_yaml(value: object, indent: int = 4) -> str:
    """The filter copier's templates know as ``to_nice_yaml``."""
    import yaml

    return str(yaml.dump(value, indent=indent, allow_unicode=True, default_flow_style=False))


def to_json(value: object, **options: Any) -> str:
    """The filter copier's templates know as ``to_json``."""
    return json.dumps(value, **options)


@dataclass(frozen=True)
class CopierTemplate:
    """A template folder with a ``copier.yml``, limited to what fastsqla's template uses."""

    root: Path

    @cached_property
    def config(self) -> dict[str, Any]:
        import yaml

        config = yaml.safe_load((self.root / "copier.yml").read_text(encoding="utf-8"))
        unknown = {key for key in config if key.startswith("_")} - SETTINGS
        unknown |= {f"_envops.{key}" for key in set(config.get("_envops", {})) - ENVOPS}
        for name, question in self.questions_in(config).items():
            unknown |= {f"{name}.{key}" for key in set(question) - QUESTION_KEYS}
        unknown |= {
            f"_exclude: {pattern}" for pattern in config.get("_exclude", []) if "/" in pattern
        }
        if config.get("_envops", {}).get("undefined", "jinja2.StrictUndefined") != (
            "jinja2.StrictUndefined"
        ):
            unknown.add("_envops.undefined")
        if unknown:
            raise UnsupportedTemplate(
                f"{self.root / 'copier.yml'} uses {', '.join(sorted(unknown))}, which "
                "fastsqla's renderer does not implement"
            )
        return dict(config)

    @staticmethod
    def questions_in(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        return {key: value for key, value in config.items() if not key.startswith("_")}

    def answers(
        self, data: Mapping[str, object], conf: Mapping[str, object] | None = None
    ) -> dict[str, object]:
        """Every question's answer: from ``data``, else its default (a template, rendered
        with the answers before it and ``_copier_conf``); a missing one is an error."""
        answers: dict[str, object] = {}
        for name, question in self.questions_in(self.config).items():
            if name in data:
                value = data[name]
            elif isinstance(question.get("default"), str) and "{" in question["default"]:
                context = {**answers, "_copier_conf": conf or {}}
                value = self.environment().from_string(question["default"]).render(context)
            elif "default" in question:
                value = question["default"]
            else:
                raise UnsupportedTemplate(f"no answer for {name!r}, which has no default")
            if "choices" in question and value not in question["choices"]:
                raise UnsupportedTemplate(f"{value!r} is not one of {name}'s choices")
            answers[name] = value
        return answers

    def environment(self) -> jinja2.Environment:
        from fastsqla_cli.rendering import strict_environment
        from fastsqla_cli.template_cache import cache_dir

        envops = {k: v for k, v in self.config.get("_envops", {}).items() if k != "undefined"}
        env = strict_environment(self.root, cache_dir(), **envops)  # `undefined`: see config
        env.filters["to_json"] = to_json
        env.filters["to_nice_yaml"] = to_nice_yaml
        return env

    def render(
        self, destination: Path, data: Mapping[str, object], *, commit: str | None = None
    ) -> list[Path]:
        """Write the rendered files under ``destination``; return them, relative to it.

        ``commit`` is what copier records as ``_commit``: the template's version."""
        answers_file = PurePosixPath(self.config.get("_answers_file", ".copier-answers.yml"))
        conf = {"answers_file": answers_file, "vcs_ref": commit}
        answers = self.answers(data, conf)
        questions = self.questions_in(self.config)
        context = {
            **answers,
            "_copier_answers": {
                "_src_path": str(self.root),
                **({"_commit": commit} if commit is not None else {}),
                **{
                    name: value
                    for name, value in answers.items()
                    if questions[name].get("when", True) is not False
                },
            },
            "_copier_conf": conf,
        }
        env = self.environment()
        source_root = self.root / self.config.get("_subdirectory", "")
        excluded = self.config.get("_exclude", [])
        written: list[Path] = []
        for source in sorted(p for p in source_root.rglob("*") if p.is_file()):
            parts = source.relative_to(source_root).parts
            if any(fnmatch.fnmatchcase(part, glob) for part in parts for glob in excluded):
                continue  # a pattern without "/" matches a name at any depth, as in copier
            relative = source.relative_to(self.root).as_posix()
            is_template = source.name.endswith(SUFFIX)
            if not is_template and source.with_name(source.name + SUFFIX).exists():
                continue  # copier prefers the templated sibling
            if is_template:
                parts = (*parts[:-1], parts[-1].removesuffix(SUFFIX))
            rendered_parts = [
                env.from_string(part).render(context) if "{" in part else part for part in parts
            ]
            if not all(rendered_parts):
                continue  # a name that renders empty leaves the file out, as in copier
            target = destination.joinpath(*rendered_parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            if is_template:
                target.write_bytes(env.get_template(relative).render(context).encode())
            else:
                target.write_bytes(source.read_bytes())
            os.chmod(target, source.stat().st_mode & 0o777)
            written.append(target.relative_to(destination))
        return written
