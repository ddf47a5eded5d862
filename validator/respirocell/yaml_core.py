"""YAML the way records are read: libyaml's parser, the YAML 1.2 core schema, and a
constructor that builds only plain data (mappings with text keys, lists, text, numbers,
true/false, null) and refuses tags. Findings raised here are ``YamlProblem``s with a position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml


class YamlProblem(Exception):
    """A file-level problem found while reading or parsing; carries a stable code and a position."""

    def __init__(self, code: str, message: str, line: int | None = None, column: int | None = None,
                 suggestion: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.column, self.suggestion = code, message, line, column, suggestion


CORE_SCHEMA: list[tuple[str, re.Pattern[str], list[str]]] = [
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    ("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")),
    ("tag:yaml.org,2002:float", re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
     list("-+0123456789.")),
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]),
]


class Core12Resolver(yaml.resolver.BaseResolver):
    """Implicit typing of plain scalars per the YAML 1.2 core schema."""


for _tag, _regex, _first in CORE_SCHEMA:
    Core12Resolver.add_implicit_resolver(_tag, _regex, _first)


#: libyaml's own loader, for node trees and tokens whose positions are all that is wanted.
POSITIONS_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def shown(text: str, limit: int = 40) -> str:
    """``text`` for a message: long values are cut short."""
    return text if len(text) <= limit else f"{text[:limit - 3]}..."


def position(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


_PLAIN_NUMBER = "write a plain number without a tag, or put the value in quotes if it is text"


def number(text: str, integer: bool) -> int | float:
    """The value of a core-schema int (``010`` is 10; ``0o``, ``0x``) or float (``.inf``, ``.nan``);
    ValueError for text that is neither (an explicit tag, or an int of more than 4,300 digits)."""
    if integer:
        return int(text[2:], 8 if text[1] == "o" else 16) if text.startswith(("0o", "0x")) else int(text, 10)
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    return float("nan") if lowered == ".nan" else float(lowered)


class _SafeConstructor(yaml.constructor.BaseConstructor):
    """Builds plain dict/list/str/int/float/bool/None; anything else is refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:  # type: ignore[override]
        if not isinstance(node, yaml.MappingNode):
            raise YamlProblem("yaml-syntax", "expected a mapping", *position(node.start_mark))
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                raise YamlProblem("non-string-key", f"field names must be text, not {shown(repr(key))}",
                                  *position(key_node.start_mark),
                                  suggestion="write a field name from the schema, such as title:")
            if key in mapping:
                raise YamlProblem("duplicate-key", f"field '{shown(key)}' appears twice in the same mapping",
                                  *position(key_node.start_mark),
                                  suggestion=f"keep one '{shown(key)}:' and delete the other; YAML would silently "
                                  "keep only the last")
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_map(self, node: yaml.MappingNode) -> Iterator[dict[str, Any]]:
        data: dict[str, Any] = {}
        yield data
        data.update(self.construct_mapping(node))

    def construct_yaml_seq(self, node: yaml.SequenceNode) -> Iterator[list[Any]]:
        data: list[Any] = []
        yield data
        data.extend(self.construct_sequence(node))

    def construct_yaml_str(self, node: yaml.ScalarNode) -> str:
        return str(self.construct_scalar(node))

    def construct_yaml_null(self, node: yaml.ScalarNode) -> None:
        return None

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        return str(self.construct_scalar(node)).lower() == "true"

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = str(self.construct_scalar(node))
        try:
            return int(number(text, integer=True))
        except ValueError:  # an explicit tag (!!int abc), or more than 4,300 digits
            raise YamlProblem("yaml-syntax", f"'{shown(text)}' is not an integer", *position(node.start_mark),
                              suggestion=_PLAIN_NUMBER) from None

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        text = str(self.construct_scalar(node)).lower()
        try:
            return float(number(text, integer=False))
        except ValueError:
            raise YamlProblem("yaml-syntax", f"'{shown(text)}' is not a number", *position(node.start_mark),
                              suggestion=_PLAIN_NUMBER) from None

    def construct_undefined(self, node: yaml.Node) -> Any:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlProblem(
            "yaml-tag", f"the tag '{shown(tag)}' is not allowed in records", *position(node.start_mark),
            suggestion="remove the tag (the text starting with '!'); records hold plain text, numbers and lists")


for _name, _fn in [
    ("tag:yaml.org,2002:map", _SafeConstructor.construct_yaml_map),
    ("tag:yaml.org,2002:seq", _SafeConstructor.construct_yaml_seq),
    ("tag:yaml.org,2002:str", _SafeConstructor.construct_yaml_str),
    ("tag:yaml.org,2002:null", _SafeConstructor.construct_yaml_null),
    ("tag:yaml.org,2002:bool", _SafeConstructor.construct_yaml_bool),
    ("tag:yaml.org,2002:int", _SafeConstructor.construct_yaml_int),
    ("tag:yaml.org,2002:float", _SafeConstructor.construct_yaml_float),
    (None, _SafeConstructor.construct_undefined),
]:
    _SafeConstructor.add_constructor(_name, _fn)  # type: ignore[arg-type]

class _FastResolver(Core12Resolver):
    """The same implicit typing without the per-node machinery libyaml's composer calls: there
    are no path resolvers, so descending is a no-op, and a plain scalar needs only the
    resolvers for its first character (a fifth of the parse time, otherwise)."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not yaml.ScalarNode:
            return self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode else self.DEFAULT_MAPPING_TAG
        if implicit[0]:
            for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                if regexp.match(value):
                    return tag  # type: ignore[no-any-return]
        return self.DEFAULT_SCALAR_TAG


# Not ``yaml.CParser``: PyYAML does not re-export it (that spelling picks the slow pure-Python parser).
_CParser: Any = getattr(yaml, "cyaml", None) and yaml.cyaml.CParser  # type: ignore[attr-defined]


class RecordLoader(_CParser or yaml.SafeLoader, _SafeConstructor, _FastResolver):  # type: ignore[misc]
    """libyaml's parser, the safe constructor above and the YAML 1.2 core resolver."""

    def __init__(self, stream: str) -> None:
        (_CParser or yaml.SafeLoader).__init__(self, stream)
        _SafeConstructor.__init__(self)
        _FastResolver.__init__(self)


class Unusual(Exception):
    """Something only the full constructor handles (or reports): a tag, a repeated key, an alias
    to a collection; the caller then runs the constructor, so findings keep their wording."""


_STR, _MAP, _SEQ = (Core12Resolver.DEFAULT_SCALAR_TAG, Core12Resolver.DEFAULT_MAPPING_TAG,
                    Core12Resolver.DEFAULT_SEQUENCE_TAG)
_NULL, _BOOL = "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"


#: Deepest nesting of mappings and lists a record may have; a record nests about five levels.
#: Deeper data would reach the recursion limits of the checks and of jsonschema-rs (at about 260).
MAX_DEPTH = 64


class TooDeep(Exception):
    """The data nests deeper than MAX_DEPTH."""


def too_deep(data: Any, budget: int) -> bool:
    """Whether ``data`` nests deeper than MAX_DEPTH (for data the constructor built). At most
    ``budget`` values are looked at: aliases can make the data far larger than its text, and
    what is larger is the expansion check's finding."""
    stack = [(data, 1)]
    while stack and budget > 0:
        budget -= 1
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
    return False


def build_plain(node: yaml.Node, seen: set[int], depth: int = 1) -> Any:
    """The data the constructor makes of a plain node tree (mappings of text keys, lists, core
    scalars), without its per-node bookkeeping: about three times faster on records."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR:
            return node.value
        if node.tag == _NULL:
            return None
        if node.tag == _BOOL:
            return str(node.value).lower() == "true"
        raise Unusual  # numbers: the constructor's own conversion and its findings
    if id(node) in seen:
        raise Unusual
    if depth > MAX_DEPTH:
        raise TooDeep
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        mapping: dict[str, Any] = {}
        for key, value in node.value:
            if key.tag != _STR or not isinstance(key, yaml.ScalarNode) or key.value in mapping:
                raise Unusual
            mapping[key.value] = _number(value) if value.tag in _NUMBERS else build_plain(value, seen, depth + 1)
        return mapping
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_number(item) if item.tag in _NUMBERS else build_plain(item, seen, depth + 1) for item in node.value]
    raise Unusual


_NUMBERS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


def _number(node: yaml.Node) -> Any:
    try:
        return number(str(node.value), integer=node.tag.endswith("int"))
    except ValueError:
        raise Unusual from None


