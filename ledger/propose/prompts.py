"""Prompt templates: YAML files in prompts/, each recorded by name and content hash."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ledger.errors import InputError
from ledger.hashing import sha256_hex

REPO_PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
ARTICLE_TAG = re.compile(r"<(/?)article", re.IGNORECASE)


@dataclass(frozen=True)
class Prompt:
    """A loaded template: its name, sha256 of the file's bytes, and its two messages."""

    name: str
    hash: str
    system: str
    user: str

    def messages(self, **fields: str) -> list[dict[str, str]]:
        """The chat messages with the placeholders filled in (values are never re-parsed)."""
        user = self.user
        if "article" in fields:
            # An article that writes <article> or </article> itself would move the end of the
            # data block; neutralise its tags so the template's delimiters stay the only ones.
            fields = {**fields, "article": ARTICLE_TAG.sub(r"&lt;\1article", fields["article"])}
        for key, value in fields.items():
            user = user.replace("{" + key + "}", value)
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]


def find_prompt(name: str) -> Path:
    """A template by path, or by name in ./prompts/ or the repository's prompts/."""
    candidates = [Path(name), Path("prompts") / f"{name}.yaml", REPO_PROMPTS / f"{name}.yaml"]
    for path in candidates:
        if path.is_file():
            return path
    raise InputError(f"no prompt template {name!r}: add prompts/{name}.yaml or pass a file path")


def load_prompt(name: str) -> Prompt:
    """Load and check a template."""
    path = find_prompt(name)
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as e:
        raise InputError(f"{path}: invalid YAML ({e})") from e
    if (
        not isinstance(data, dict)
        or not {"system", "user"} <= set(data)
        or "{article}" not in str(data.get("user"))
    ):
        raise InputError(f"{path}: a prompt needs `system` and `user` (with {{article}})")
    return Prompt(
        name=path.stem, hash=sha256_hex(raw), system=str(data["system"]), user=str(data["user"])
    )
