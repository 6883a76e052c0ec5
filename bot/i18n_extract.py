"""A Babel extractor for the YAML files in ``flows/``: their user-visible texts become msgids.

Registered as the ``ssw_flows`` extractor (pyproject entry point ``babel.extractors``) and used
by ``babel.cfg``. A value is extracted when its key is one of ``TRANSLATABLE_KEYS`` and it has
at least one letter. ``example`` values are not: they are answers the rules accept, as typed.
The msgid is the value with surrounding white space stripped, exactly as the loaders use it
(``msgid()``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

TRANSLATABLE_KEYS = frozenset(
    {
        "prompt",
        "label",
        "title",
        "done",
        "declined",
        "notice",
        "older_notice",
        "error",
        "name",
        "text",
        "question",
        "answer",
        "summary",
        "next_step",
        "body",  # who runs a test: shown inside translated sentences
        "host",  # who holds a test in Pakistan for its body: likewise
    }
)


def msgid(value: str) -> str:
    return value.strip()


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _walk(node: yaml.Node, source: str) -> Iterator[tuple[int, str, str, list[str]]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value in TRANSLATABLE_KEYS
                and isinstance(value, yaml.ScalarNode)
                and value.tag.endswith(":str")
                and _has_letter(value.value)
            ):
                yield (
                    value.start_mark.line + 1,
                    "",
                    msgid(value.value),
                    [f"{source}: {key.value}"],
                )
            else:
                yield from _walk(value, source)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, source)


def extract_flow_yaml(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extractor interface: yields (line, funcname, message, comments)."""
    text = fileobj.read().decode(options.get("encoding", "utf-8"))
    root = yaml.compose(text)
    if root is not None:
        yield from _walk(root, getattr(fileobj, "name", "flow").rsplit("/", 1)[-1])
