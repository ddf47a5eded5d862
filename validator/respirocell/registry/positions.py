"""Where a field sits in a record's YAML text, so a finding can name its line.

A record is composed with PyYAML's node API (positions only; the data itself comes from the core
loader), and a path such as ``("arms", 0, "label")`` is walked down the node tree.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

PathElem = str | int


def compose(text: str) -> yaml.Node | None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.compose(text, Loader=loader)


def key_position(root: yaml.Node | None, path: Sequence[PathElem]) -> tuple[int, int] | None:
    """1-based (line, column) of the key (or list item) at ``path``; of the nearest parent if it is absent.

    None only when the document is empty. The root itself is at the first line.
    """
    if root is None:
        return None
    node: yaml.Node = root
    where = (node.start_mark.line + 1, node.start_mark.column + 1)
    for elem in path:
        if isinstance(node, yaml.MappingNode) and isinstance(elem, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == elem:
                    where = (key.start_mark.line + 1, key.start_mark.column + 1)
                    node = value
                    break
            else:
                return where
        elif isinstance(node, yaml.SequenceNode) and isinstance(elem, int) and 0 <= elem < len(node.value):
            node = node.value[elem]
            where = (node.start_mark.line + 1, node.start_mark.column + 1)
        else:
            return where
    return where
