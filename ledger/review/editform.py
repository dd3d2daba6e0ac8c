"""The proposal as a YAML form in $EDITOR: what a reviewer may change, checked until valid."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ledger.controls import describe
from ledger.models import Stance


class EditForm(BaseModel):
    """What a reviewer may change in $EDITOR."""

    model_config = ConfigDict(extra="forbid")

    claim: str
    actor: str
    stance: Stance
    quote: str

    @field_validator("claim", "actor", "quote")
    @classmethod
    def _no_controls(cls, v: str) -> str:
        problem = describe(v)
        if problem:
            raise ValueError(f"has a {problem}")
        return v


def edit_in_editor(
    p: dict[str, Any], editor: Callable[[str], str | None], note: str = ""
) -> dict[str, str] | None:
    """Open the proposal as YAML in $EDITOR until it is valid; None if the reviewer cancels.
    ``note`` is an extra header line (what saving will do)."""
    form = {k: p[k] for k in ("claim", "actor", "stance", "quote")}
    text = yaml.safe_dump(form, sort_keys=False, allow_unicode=True, width=100)
    error = ""
    while True:
        header = "# Edit the proposal; the quote must be the source's exact words.\n"
        if note:
            header += f"# {note}\n"
        if p["anchoring"] == "fuzzy":
            header += "# The quote was found only fuzzily: check it against the source.\n"
        header += "# Save an empty file to cancel.\n" + (f"# Error: {error}\n" if error else "")
        edited = editor(header + text)
        if edited is None or not edited.strip() or edited.strip() == header.strip():
            return None
        try:
            data = yaml.safe_load(edited)
            return EditForm.model_validate(data).model_dump()
        except (yaml.YAMLError, ValidationError) as e:
            error = (
                str(e).splitlines()[0]
                if isinstance(e, yaml.YAMLError)
                else (
                    "; ".join(
                        f"{'.'.join(map(str, x['loc'])) or 'form'}: {x['msg']}" for x in e.errors()
                    )
                )
            )
            text = (
                "\n".join(line for line in edited.splitlines() if not line.startswith("# ")) + "\n"
            )
