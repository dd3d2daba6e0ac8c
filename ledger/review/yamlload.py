"""Reading a review file's YAML so that it can mean only one thing, with errors on one line.

Safe YAML still lets one text say two things: a key given twice (the last silently wins), merge
keys (``<<: *defaults``) and aliases that copy an item elsewhere. A review file needs none of
them, and each would make a decision apply that the reviewer did not see where they looked, so
they are refused. Every problem is an InputError naming the file and the line where it starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from ledger.errors import InputError

MERGE_TAG = "tag:yaml.org,2002:merge"


class _ReviewLoader(yaml.SafeLoader):
    """SafeLoader without aliases, merge keys or duplicate keys."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ComposerError(
                None, None, "aliases (*name) are not allowed in a review file", event.start_mark
            )
        return super().compose_node(parent, index)

    def flatten_mapping(self, node: MappingNode) -> None:
        seen: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            if key.tag == MERGE_TAG:
                raise ConstructorError(
                    None, None, "merge keys (<<) are not allowed in a review file", key.start_mark
                )
            if isinstance(key, ScalarNode):
                k = (key.tag, key.value)
                if k in seen:
                    raise ConstructorError(
                        None,
                        None,
                        f"duplicate key {_short(key.value)!r} (first on line {seen[k]})",
                        key.start_mark,
                    )
                seen[k] = key.start_mark.line + 1
        super().flatten_mapping(node)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def read_text(path: Path) -> str:
    """The file as text, or an InputError saying why it is not a readable text file."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from e
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{path}: not a review file: not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
            f"{e.start})"
        ) from e


def load(path: Path) -> tuple[Node | None, Any]:
    """The file's YAML as its node tree (for line numbers) and as Python data."""
    text = read_text(path)
    loader = None
    try:
        loader = _ReviewLoader(text)  # refuses unprintable characters at once
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as e:
        raise InputError(_marked(path, e)) from e
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position) + 1
        raise InputError(
            f"{path}:{line}: not a review file: character #x{e.character:04x} is not allowed"
        ) from e
    except yaml.YAMLError as e:
        raise InputError(f"{path}: invalid YAML ({' '.join(str(e).split())})") from e
    except RecursionError as e:
        raise InputError(f"{path}: invalid YAML (nested too deeply)") from e
    finally:
        if loader is not None:
            loader.dispose()
    return root, data


def _marked(path: Path, e: yaml.MarkedYAMLError) -> str:
    """Point at where the bad token starts: a scanner's context (an unclosed quote) starts
    there, while a parser's context is the enclosing block, which can be far above."""
    mark = e.problem_mark
    if isinstance(e, yaml.scanner.ScannerError) and e.context_mark is not None:
        mark = e.context_mark
    where = f":{mark.line + 1}" if mark is not None else ""
    said = "; ".join(x for x in (e.context, e.problem) if x)
    if mark is not e.problem_mark and e.problem_mark is not None:
        said += f" (at line {e.problem_mark.line + 1})"
    return f"{path}{where}: invalid YAML ({said})"
