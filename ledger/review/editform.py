"""The proposal as a YAML form in $EDITOR: what a reviewer may change, checked until valid.

A grouped card's form (a claim proposal with the stances proposed on it) holds the claim's
fields and, under ``stances:``, each listed stance's actor, stance and quote, each named by its
proposal ``id``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ledger.controls import describe
from ledger.errors import InputError, LedgerError
from ledger.models import Stance

FIELDS = ("claim", "actor", "stance", "quote")
STANCE_FIELDS = ("actor", "stance", "quote")
# Raises a LedgerError naming what in the valid form cannot be decided (a quote not in the
# source, say): the form reopens with it.
Check = Callable[[dict[str, Any]], None]
GroupCheck = Callable[[dict[str, str], dict[str, dict[str, str]]], None]  # the claim's, stances'


def _refuse_controls(v: str) -> str:
    problem = describe(v)
    if problem:
        raise ValueError(f"has a {problem}")
    return v


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
        return _refuse_controls(v)


class StanceEdit(BaseModel):
    """A stance listed under the claim in a grouped form: who takes it and in which words."""

    model_config = ConfigDict(extra="forbid")

    id: str
    actor: str
    stance: Stance
    quote: str

    @field_validator("actor", "quote")
    @classmethod
    def _no_controls(cls, v: str) -> str:
        return _refuse_controls(v)


class GroupEditForm(EditForm):
    """A grouped card's form: the claim's fields and its listed stances."""

    stances: list[StanceEdit]


def _where(loc: tuple[int | str, ...]) -> str:
    """A pydantic error's place in the form, stances counted from 1 as the form numbers them."""
    if len(loc) >= 2 and loc[0] == "stances" and isinstance(loc[1], int):
        return ".".join([f"stances item {loc[1] + 1}", *map(str, loc[2:])])
    return ".".join(map(str, loc)) or "form"


def _loop(
    header: str, text: str, model: type[EditForm], editor: Callable[[str], str | None],
    check: Check | None,
) -> dict[str, Any] | None:  # fmt: skip
    """Open ``header`` + ``text`` until the reviewer saves a valid form (None: cancelled)."""
    error = ""
    while True:
        shown = header + (f"# Error: {error}\n" if error else "")
        edited = editor(shown + text)
        if edited is None or not edited.strip() or edited.strip() == shown.strip():
            return None
        try:
            form = model.model_validate(yaml.safe_load(edited)).model_dump()
            if check is not None:
                check(form)
            return form
        except yaml.YAMLError as e:
            error = str(e).splitlines()[0]
        except ValidationError as e:
            error = "; ".join(f"{_where(x['loc'])}: {x['msg']}" for x in e.errors())
        except LedgerError as e:
            error = " ".join(str(e).splitlines())
        text = "\n".join(line for line in edited.splitlines() if not line.startswith("# ")) + "\n"


def _header(p: dict[str, Any], lines: list[str], whose: str = "The") -> str:
    if p["anchoring"] == "fuzzy":
        lines = [*lines, f"{whose} quote was found only fuzzily: check it against the source."]
    return "".join(f"# {line}\n" for line in [*lines, "Save an empty file to cancel."])


def _dump(form: dict[str, Any]) -> str:
    return yaml.safe_dump(form, sort_keys=False, allow_unicode=True, width=100)


def edit_in_editor(
    p: dict[str, Any], editor: Callable[[str], str | None], note: str = "",
    check: Callable[[dict[str, str]], None] | None = None,
) -> dict[str, str] | None:  # fmt: skip
    """Open the proposal as YAML in $EDITOR until it is valid (and passes ``check``); None if
    the reviewer cancels. ``note`` is an extra header line (what saving will do)."""
    lines = ["Edit the proposal; the quote must be the source's exact words.", *[note] * bool(note)]

    def fields(form: dict[str, Any]) -> dict[str, str]:
        return {k: form[k] for k in FIELDS}

    def checked(form: dict[str, Any]) -> None:
        if check is not None:
            check(fields(form))

    form = _loop(_header(p, lines), _dump(fields(p)), EditForm, editor, checked)
    return None if form is None else fields(form)


def edit_group_in_editor(
    p: dict[str, Any], stances: list[tuple[str, dict[str, Any]]],
    editor: Callable[[str], str | None], notes: list[str] | None = None,
    check: GroupCheck | None = None,
) -> tuple[dict[str, str], dict[str, dict[str, str]]] | None:  # fmt: skip
    """The grouped form: claim proposal ``p`` and the ``stances`` listed under it, each as
    (its label in the form, the stance proposal). Returns the claim's fields and each stance's
    (by proposal id), or None if the reviewer cancels. A form whose stances are not the listed
    ones (one removed, added or renamed) is refused, as is anything ``check`` refuses."""
    lines = [
        "Edit the claim and the stances proposed on it; every quote must be the source's exact "
        "words.",
        *(notes or []),
        "Each item under `stances:` is the stance proposal named by its `id` (do not change it).",
        "Every listed stance must stay: to reject one, cancel and mark it on the card with x N.",
    ]
    ids = [s["id"] for _, s in stances]

    def split(form: dict[str, Any]) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        edits = {s["id"]: {k: s[k] for k in STANCE_FIELDS} for s in form["stances"]}
        return {k: form[k] for k in FIELDS}, edits

    def same_stances(form: dict[str, Any]) -> None:
        # Removing a stance is refused rather than taken as its rejection: a line deleted by
        # mistake in an editor would otherwise be a recorded decision.
        got = [s["id"] for s in form["stances"]]
        missing = [i for i in ids if i not in got]
        extra = sorted({i for i in got if i not in ids or got.count(i) > 1})
        if missing or extra:
            raise InputError(
                "stances: the list must hold each listed stance once, by its id"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; not listed or given twice: {', '.join(extra)}" if extra else "")
                + " (to reject a stance, cancel and mark it with x N)"
            )
        if check is not None:
            check(*split(form))

    body = {k: p[k] for k in FIELDS} | {
        "stances": [{"id": s["id"], **{k: s[k] for k in STANCE_FIELDS}} for _, s in stances]
    }
    text = _dump(body)
    for label, s in stances:  # each item's id line says which stance of the card it is
        text = re.sub(rf"^- id: {re.escape(s['id'])}$", f"- id: {s['id']}  # {label}", text,
                      count=1, flags=re.M)  # fmt: skip
    form = _loop(_header(p, lines, "The claim's"), text, GroupEditForm, editor, same_stances)
    return None if form is None else split(form)
