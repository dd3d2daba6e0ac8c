"""Prompt templates: YAML files, each recorded by name and content hash.

The default template ships inside the package (``ledger/prompts/``, read with importlib.resources,
so an installed wheel has it); ``prompts/NAME.yaml`` in the working directory overrides it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml

from ledger.errors import InputError
from ledger.hashing import sha256_hex

ARTICLE_TAG = re.compile(r"<(/?)article", re.IGNORECASE)
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Metadata values are one line: a title with newlines could otherwise fake further "Field:" lines.
LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\x85\u2028\u2029]+\s*")
DATA_BLOCK = re.compile(r"<article>(.*)</article>", re.DOTALL)


@dataclass(frozen=True)
class Prompt:
    """A loaded template: its name, sha256 of the file's bytes, and its two messages."""

    name: str
    hash: str
    system: str
    user: str

    def messages(self, **fields: str) -> list[dict[str, str]]:
        """The chat messages with the placeholders filled in once: a value is never re-parsed,
        so ``{article}`` inside a title stays those characters."""
        safe = {key: neutralise(value, one_line=key != "article") for key, value in fields.items()}

        def fill(match: re.Match[str]) -> str:
            return safe.get(match.group(1), match.group(0))

        user = PLACEHOLDER.sub(fill, self.user)
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]


def neutralise(value: str, *, one_line: bool = False) -> str:
    """Source-derived text made safe inside the data block: its own <article> or </article>
    tags would move the end of the block, so they are escaped; metadata is folded to one line."""
    value = ARTICLE_TAG.sub(r"&lt;\1article", value)
    return LINE_BREAKS.sub(" ", value).strip() if one_line else value


def _find(name: str) -> tuple[str, str, bytes]:
    """(name, label, bytes) of a template: a file path, ./prompts/NAME.yaml, else built in."""
    for path in (Path(name), Path("prompts") / f"{name}.yaml"):
        if path.is_file():
            return path.stem, str(path), path.read_bytes()
    packaged = files("ledger") / "prompts" / f"{name}.yaml"
    if packaged.is_file():
        return name, f"built-in prompt {name!r}", packaged.read_bytes()
    raise InputError(f"no prompt template {name!r}: add prompts/{name}.yaml or pass a file path")


def load_prompt(name: str) -> Prompt:
    """Load and check a template: every placeholder must sit inside its <article> data block."""
    name, label, raw = _find(name)
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as e:
        raise InputError(f"{label}: invalid YAML ({e})") from e
    if (
        not isinstance(data, dict)
        or not {"system", "user"} <= set(data)
        or "{article}" not in str(data.get("user"))
    ):
        raise InputError(f"{label}: a prompt needs `system` and `user` (with {{article}})")
    user = str(data["user"])
    block = DATA_BLOCK.search(user)
    outside = PLACEHOLDER.findall(DATA_BLOCK.sub("", user))
    if not block or "{article}" not in block.group(1) or outside:
        raise InputError(
            f"{label}: every placeholder of `user` must be inside <article> ... </article> "
            f"(source text is data); outside: {', '.join(outside) or 'article'}"
        )
    return Prompt(name=name, hash=sha256_hex(raw), system=str(data["system"]), user=user)
