"""Comments across a reformat: each comment is tied to the node it belongs to and put back
beside that node in the new text (see ``formatting``)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import yaml

from ..yaml_core import POSITIONS_LOADER

Path_ = tuple[str | int, ...]

# -- comments ------------------------------------------------------------------------------

@dataclass
class _Comment:
    line: int  # 0-based, in the original text
    column: int
    text: str  # "# ..." without surrounding whitespace; "" for a blank line


@dataclass
class _Node:
    path: Path_
    line: int
    column: int
    eol_line: int  # where an end-of-line comment of this node goes
    scalar_like: bool  # a scalar or a flow collection (its value ends on eol_line)
    node: yaml.Node


@dataclass
class Placement:
    header: list[str] = field(default_factory=list)
    before: dict[Path_, list[str]] = field(default_factory=dict)
    eol: dict[Path_, list[tuple[int, str]]] = field(default_factory=dict)  # (original column, text)
    #: Comment lines that close a node's block (indented under it, before a key less indented):
    #: (columns right of the node's own, text).
    after: dict[Path_, list[tuple[int, str]]] = field(default_factory=dict)
    trailing: list[str] = field(default_factory=list)

    def commented_paths(self) -> set[Path_]:
        return {p for p, lines in self.before.items() if any(lines)} | set(self.eol) | set(self.after)

    def owners(self) -> set[tuple[str, Path_, str]]:
        """Which node each comment belongs to: what formatting must keep."""
        return {("before", p, t) for p, ts in self.before.items() for t in ts if t} | \
            {("eol", p, t) for p, ts in self.eol.items() for _, t in ts} | \
            {("after", p, t) for p, ts in self.after.items() for _, t in ts} | \
            {("header", (), t) for t in self.header if t} | {("trailing", (), t) for t in self.trailing if t}


def _covered_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges that belong to tokens (scalars, anchors ...): a '#' there is content."""
    starts = [0]
    starts += [m.end() for m in re.finditer("\n", text)]

    def index(mark: yaml.Mark) -> int:  # from line and column: libyaml's own index counts bytes
        return starts[mark.line] + mark.column if mark.line < len(starts) else len(text)

    spans = []
    for token in yaml.scan(text, Loader=POSITIONS_LOADER):
        start, end = index(token.start_mark), index(token.end_mark)
        if start == end:
            continue
        if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
            header = re.match(r"[|>][-+0-9]*", text[start:])
            assert header is not None
            spans.append((start, start + header.end()))
            body = text.find("\n", start)
            if body == -1:
                continue
            body += 1
            if "+" not in header.group():
                # Trailing blank lines are not content (clip/strip chomping): leave them to the layout.
                content = text[body:end].rstrip(" \n")
                end = body + len(content) if content else body
            spans.append((body, end))
        else:
            spans.append((start, end))
    return sorted(spans)


def find_comments(text: str) -> tuple[list[_Comment], set[int]]:
    """Comment lines and end-of-line comments of ``text``, and the set of blank line numbers."""
    spans = _covered_spans(text)
    starts = [s for s, _ in spans]

    def covered(index: int) -> bool:
        i = bisect.bisect_right(starts, index) - 1
        return i >= 0 and spans[i][0] <= index < spans[i][1]

    comments, blanks = [], set()
    offset = 0
    for number, line in enumerate(text.split("\n")):
        if not line.strip():
            if not covered(offset):
                blanks.add(number)
        else:
            for match in re.finditer("#", line):
                col = match.start()
                if (col == 0 or line[col - 1] in " \t") and not covered(offset + col):
                    comments.append(_Comment(number, col, line[col:].rstrip()))
                    break
        offset += len(line) + 1
    return comments, blanks


def find_nodes(root: yaml.Node) -> list[_Node]:
    """Every mapping entry and list item with its path and positions, in document order."""
    out: list[_Node] = []

    def eol_line(line: int, value: yaml.Node) -> tuple[int, bool]:
        if isinstance(value, yaml.ScalarNode):
            return (value.start_mark.line if value.style in ("|", ">") else value.end_mark.line), True
        if getattr(value, "flow_style", False):
            return value.end_mark.line, True
        return line, False

    def walk(node: yaml.Node, path: Path_) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                p = (*path, key.value)
                line, scalar_like = eol_line(key.start_mark.line, value)
                out.append(_Node(p, key.start_mark.line, key.start_mark.column, line, scalar_like, value))
                walk(value, p)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                p = (*path, i)
                line, scalar_like = eol_line(item.start_mark.line, item)
                out.append(_Node(p, item.start_mark.line, item.start_mark.column, line, scalar_like, item))
                walk(item, p)

    walk(root, ())
    out.sort(key=lambda n: (n.line, n.column, len(n.path)))
    return out


def place_comments(text: str, nodes: list[_Node]) -> Placement:
    """Attach each comment to the node it belongs to (see the module docstring)."""
    comments, blanks = find_comments(text)
    place = Placement()
    if not nodes:
        place.trailing = [c.text for c in comments]
        return place
    lines_of = sorted(n.line for n in nodes)
    pending: list[tuple[int, str, int]] = [(b, "", 0) for b in blanks]
    source_lines = text.split("\n")
    for comment in comments:
        if source_lines[comment.line][:comment.column].strip():
            target = _eol_target(nodes, comment.line)
            if target is not None:
                place.eol.setdefault(target.path, []).append((comment.column, comment.text))
                continue
        pending.append((comment.line, comment.text, comment.column))

    pending.sort()
    first_line = lines_of[0]
    head = [(ln, t) for ln, t, _ in pending if ln < first_line]
    blank_at = [i for i, (_, t) in enumerate(head) if not t]
    if blank_at and any(t for _, t in head[:blank_at[-1]]):
        place.header = _tidy([t for _, t in head[:blank_at[-1]]])
        pending = [p for p in pending if p[0] > head[blank_at[-1]][0]]
    by_path = {n.path: n for n in nodes}
    last: tuple[int, _Node | None] = (-2, None)  # the line and the node of the last comment placed above a node
    for line, comment_text, column in pending:
        # Between a key and its value on a later line (``name:`` / ``# note`` / ``  text``): the
        # comment is about that field, and goes above it (the value then sits on the key's line).
        inside = [n for n in nodes if n.scalar_like and n.line < line < n.node.start_mark.line]
        if inside and comment_text:
            place.before.setdefault(max(inside, key=lambda n: len(n.path)).path, []).append(comment_text)
            continue
        i = bisect.bisect_right(lines_of, line)
        following = _next_node(nodes, lines_of[i]) if i < len(lines_of) else None
        owner = _closing(nodes, by_path, line, column) \
            if comment_text and column > (following.column if following else 0) else None
        if owner is not None and following is not None and following.path[:len(owner.path)] == owner.path:
            owner = None  # between a key and its first child (however indented): about the child
        if owner is not None and last == (line - 1, following):
            owner = None  # the comment line above went with what follows: keep the two in order
        if owner is not None and isinstance(owner.node, yaml.ScalarNode) and owner.node.style in ("|", ">"):
            owner = None  # after block text: at its end it could be read as more text
        if owner is None and following is not None and comment_text:
            last = (line, following)
        if owner is not None:  # indented under the block above, not at the level of what follows
            place.after.setdefault(owner.path, []).append((column - owner.column, comment_text))
        elif following is None:
            place.trailing.append(comment_text)
        else:
            place.before.setdefault(following.path, []).append(comment_text)
    place.trailing = _tidy(place.trailing)
    for path in list(place.before):
        place.before[path] = _tidy(place.before[path], keep_edges=True)
    return place


def _next_node(nodes: list[_Node], line: int) -> _Node:
    """The node a comment line above ``line`` belongs to: the first on that line, and for a
    list item that is a mapping (``- id: x``) its first key, which the comment describes and
    which may move when keys are reordered."""
    on_line = [n for n in nodes if n.line == line]
    column = min(n.column for n in on_line)
    return max((n for n in on_line if n.column == column), key=lambda n: len(n.path))


def _closing(nodes: list[_Node], by_path: dict[Path_, _Node], line: int, column: int) -> _Node | None:
    """The block a comment line closes: of the nodes above it, the last indented no deeper than
    it - that node itself when the comment is indented under it (``arms:`` for a comment at its
    items' dash), else, at the same indentation, the mapping or list holding it (the arm for a
    comment under the arm's keys), which stays the owner however its keys are reordered."""
    above = [n for n in nodes if n.line < line and n.column <= column]
    if not above:
        return None
    node = above[-1]
    return node if node.column < column else by_path.get(node.path[:-1])


def _eol_target(nodes: list[_Node], line: int) -> _Node | None:
    """The node an end-of-line comment on ``line`` belongs to.

    The outermost node whose value ends on that line (``title: x  # c``, ``fields: [a, b]  # c``);
    else the innermost node that starts there (``design:  # c``, ``- registry: x  # c``).
    """
    ending = [n for n in nodes if n.scalar_like and n.eol_line == line]
    if ending:
        return min(ending, key=lambda n: (len(n.path), n.column))
    starting = [n for n in nodes if n.line == line]
    return max(starting, key=lambda n: (len(n.path), n.column)) if starting else None


def _tidy(lines: list[str], keep_edges: bool = False) -> list[str]:
    """Collapse runs of blank lines; drop blank lines at both ends unless ``keep_edges``."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]) or (keep_edges and not out):
            out.append(line)
    while out and not out[-1] and not keep_edges:
        out.pop()
    return out


def _block_scalar_lines(root: yaml.Node) -> set[int]:
    """Content lines of block scalars in emitted text: their whitespace is data."""
    lines: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.style in ("|", ">"):
                lines.update(range(node.start_mark.line + 1, node.end_mark.line + 1))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return lines


def attach(body: str, place: Placement) -> str:
    """Put the comments back next to their nodes in freshly emitted ``body``."""
    root = yaml.compose(body, Loader=POSITIONS_LOADER)
    lines = body.rstrip("\n").split("\n")
    protected = _block_scalar_lines(root) if root is not None else set()
    lines = [ln if i in protected else ln.rstrip() for i, ln in enumerate(lines)]
    nodes = {n.path: n for n in find_nodes(root)} if root is not None else {}

    for path, eol_notes in place.eol.items():
        node = nodes.get(path)
        if node is None:
            continue
        i = node.eol_line
        for column, note in eol_notes:
            content = lines[i].rstrip()
            pad = column - len(content) if column > len(content) + 1 else 2
            lines[i] = content + " " * pad + note

    # Line index -> (order, indent or None for the line's own, notes): a block's closing comments
    # (innermost first) come before the comments of the node that follows it.
    inserts: dict[int, list[tuple[tuple[int, int], int | None, list[str]]]] = {}
    for path, notes in place.before.items():
        node = nodes.get(path)
        if node is not None and notes:
            inserts.setdefault(node.line, []).append(((1, len(path)), None, notes))
    for path, closing in place.after.items():
        node = nodes.get(path)
        if node is None:
            continue
        end = node.node.end_mark
        is_block = isinstance(node.node, (yaml.MappingNode, yaml.SequenceNode)) and not node.scalar_like
        at = end.line if is_block or end.column == 0 else end.line + 1  # a block ends where the next token starts
        for offset, note in closing:
            inserts.setdefault(min(at, len(lines)), []).append(((0, -len(path)), node.column + offset, [note]))
    out: list[str] = []
    if place.header:
        out += [*place.header, ""]
    for i, line in enumerate([*lines, None]):
        own = " " * (len(line) - len(line.lstrip(" "))) if line is not None else ""
        for _, indent, block in sorted(inserts.get(i, []), key=lambda t: t[0]):
            for note in block:
                if note or (out and out[-1]):
                    out.append((own if indent is None else " " * indent) + note if note else "")
        if line is not None:
            out.append(line)
    if place.trailing:
        out += place.trailing
    while out and not out[0]:
        out.pop(0)
    return "\n".join(out) + "\n"


