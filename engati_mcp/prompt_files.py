"""MCP prompts defined in files: one Markdown file per prompt, loaded once at start.

A prompt file starts with TOML front matter between ``+++`` lines (its name, title, description
and arguments), followed by the template. Placeholders are ``{argument_name}``; an optional
argument that the caller leaves out renders as its declared ``default``. Keeping prompts in files
lets people who write prompts change them without touching code, and keeps them reviewable.

A malformed file stops the server at start with a `PromptFileError` naming the file: a prompt that
silently disappears from prompts/list is harder to notice than a server that refuses to start.

Files are looked up in the installed package (``engati_mcp/prompts``, where the wheel puts them)
and, for a source checkout, in the repository's ``prompts/`` directory.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the SDK is imported when prompts are registered, keeping this module light
    from mcp.server.mcpserver.prompts.base import Prompt

_FENCE = "+++"
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ARGUMENT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PromptFileError(Exception):
    """A prompt file that cannot be loaded; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class PromptArg:
    name: str
    description: str | None
    required: bool


@dataclass(frozen=True, slots=True)
class PromptFile:
    name: str
    title: str | None
    description: str
    arguments: tuple[PromptArg, ...]
    defaults: dict[str, str]
    template: str

    def render(self, values: dict[str, Any]) -> str:
        """The template with every placeholder filled (defaults for optional arguments left out)."""
        filled = self.defaults | {key: str(value) for key, value in values.items() if value not in (None, "")}
        return _PLACEHOLDER.sub(lambda match: filled.get(match.group(1), match.group(0)), self.template)

    def to_prompt(self) -> Prompt:
        from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument

        async def render(**values: Any) -> str:
            return self.render(values)

        return Prompt(
            name=self.name,
            title=self.title,
            description=self.description,
            arguments=[
                PromptArgument(name=a.name, description=a.description, required=a.required) for a in self.arguments
            ],
            fn=render,
            # The SDK's default, spelt out: its `Field(None, ...)` default is invisible to type checkers.
            context_kwarg=None,
        )


def prompt_dirs() -> list[Path]:
    """Where prompt files live: the installed package's copy first, then a source checkout's."""
    package_dir = Path(__file__).resolve().parent
    return [package_dir / "prompts", package_dir.parent / "prompts"]


def load_prompts(directory: Path | None = None) -> list[Prompt]:
    """Every prompt in the first prompt directory that exists, sorted by file name."""
    found = directory if directory is not None else next((d for d in prompt_dirs() if d.is_dir()), None)
    if found is None:
        raise PromptFileError(f"no prompts directory found (looked in {', '.join(map(str, prompt_dirs()))})")
    files = sorted(found.glob("*.md"))
    prompts = [read_prompt_file(path) for path in files]
    _check_unique(prompts, files)
    return [prompt.to_prompt() for prompt in prompts]


def read_prompt_file(path: Path) -> PromptFile:
    """Parse one prompt file; raise `PromptFileError` naming it when anything is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptFileError(f"prompt file {path}: cannot be read ({exc})") from None
    try:
        return _parse(text)
    except ValueError as exc:
        raise PromptFileError(f"prompt file {path}: {exc}") from None


def _parse(text: str) -> PromptFile:
    meta, template = _split_front_matter(text)
    name = _required_str(meta, "name")
    if not _NAME.match(name):
        raise ValueError(f"name {name!r} must be lowercase letters, digits and dashes")
    arguments, defaults = _arguments(meta.get("arguments", []))
    _check_placeholders(template, {argument.name for argument in arguments})
    title = meta.get("title")
    if title is not None and not isinstance(title, str):
        raise ValueError("'title' must be a string")
    return PromptFile(
        name=name,
        title=title,
        description=_required_str(meta, "description"),
        arguments=arguments,
        defaults=defaults,
        template=template,
    )


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != _FENCE:
        raise ValueError(f"must start with a '{_FENCE}' line opening the TOML front matter")
    closing = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == _FENCE), None)
    if closing is None:
        raise ValueError(f"the front matter is not closed by a second '{_FENCE}' line")
    try:
        meta = tomllib.loads("".join(lines[1:closing]))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"front matter is not valid TOML: {exc}") from None
    template = "".join(lines[closing + 1 :]).strip()
    if not template:
        raise ValueError("the template after the front matter is empty")
    return meta, template


def _required_str(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{key}' is required and must be a non-empty string")
    return value.strip()


def _arguments(raw: Any) -> tuple[tuple[PromptArg, ...], dict[str, str]]:
    if not isinstance(raw, list):
        raise ValueError("'arguments' must be an array of tables ([[arguments]])")
    arguments: list[PromptArg] = []
    defaults: dict[str, str] = {}
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise ValueError(f"argument {index} must be a table")
        name = _required_str(entry, "name")
        if not _ARGUMENT_NAME.match(name) or any(a.name == name for a in arguments):
            raise ValueError(f"argument {index}: name {name!r} is not a unique identifier")
        required = entry.get("required", False)
        if not isinstance(required, bool):
            raise ValueError(f"argument {name!r}: 'required' must be true or false")
        if not required:
            defaults[name] = str(entry.get("default", ""))
        description = entry.get("description")
        if description is not None and not isinstance(description, str):
            raise ValueError(f"argument {name!r}: 'description' must be a string")
        arguments.append(PromptArg(name=name, description=description, required=required))
    return tuple(arguments), defaults


def _check_placeholders(template: str, declared: set[str]) -> None:
    unknown = sorted(set(_PLACEHOLDER.findall(template)) - declared)
    if unknown:
        raise ValueError(f"the template uses undeclared argument(s) {', '.join(unknown)}")


def _check_unique(prompts: list[PromptFile], files: list[Path]) -> None:
    seen: dict[str, Path] = {}
    for prompt, path in zip(prompts, files, strict=True):
        if prompt.name in seen:
            raise PromptFileError(f"prompt file {path}: name {prompt.name!r} is already used by {seen[prompt.name]}")
        seen[prompt.name] = path
