"""A t.me post's markup as the plain text a reader sees, and the small readers of its nodes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborNode

_EMOJI_IMAGE = re.compile(r"/emoji/\d+/([0-9A-Fa-f]+)\.png")
_SPACES = re.compile(r"[ \t\n\r\f]+")  # HTML collapsible white space; a no-break space stays
_BLANK_LINES = re.compile(r"\n{3,}")
_SKIPPED_TAGS = frozenset(
    {"-comment", "script", "style", "svg", "template", "noscript", "img", "video", "audio"}
)
_SKIPPED_CLASSES = frozenset(
    {"tgme_widget_message_reactions", "tgme_widget_message_poll", "tgme_widget_message_footer"}
)
_BLOCK_TAGS = frozenset({"blockquote", "pre", "div", "p", "ul", "ol", "li"})


class _TextBuffer:
    """Plain text built as a browser lays it out: collapsed spaces, <br> as a line break."""

    __slots__ = ("_last", "_parts")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._last = "\n"  # as if at the start of a line

    def add(self, text: str, *, pre: bool = False) -> None:
        if not pre:
            text = _SPACES.sub(" ", text)
            if self._last in " \n":
                text = text.lstrip(" ")
        if text:
            self._parts.append(text)
            self._last = text[-1]

    def mark(self) -> int:
        return len(self._parts)

    def since(self, mark: int) -> str:
        return "".join(self._parts[mark:])

    def line_break(self) -> None:
        while self._parts and self._parts[-1].endswith(" "):
            trimmed = self._parts[-1].rstrip(" ")
            if trimmed:
                self._parts[-1] = trimmed
                break
            self._parts.pop()
        self._parts.append("\n")
        self._last = "\n"

    def block_break(self) -> None:
        if self._parts and self._last != "\n":
            self.line_break()

    def text(self) -> str:
        return _BLANK_LINES.sub("\n\n", "".join(self._parts)).strip()


def plain_text(root: LexborNode) -> str:
    """Walks the tree without recursion: hostile pages nest elements a hundred thousand deep."""
    out = _TextBuffer()
    pre_depth = 0
    anchors: list[int] = []
    stack: list[LexborNode] = []
    node = root.child
    while node is not None:
        tag = node.tag or ""
        descend = False
        if tag == "-text":
            out.add(node.text_content or "", pre=pre_depth > 0)
        elif tag == "br":
            out.line_break()
        elif tag in ("i", "img") and has_class(node, "emoji"):
            out.add(_emoji(node))
        elif tag in _SKIPPED_TAGS or has_any_class(node, _SKIPPED_CLASSES):
            pass
        else:
            descend = node.child is not None
            if tag in _BLOCK_TAGS:
                out.block_break()
            if tag == "pre":
                pre_depth += 1
            if tag == "a":
                anchors.append(out.mark())
            if not descend:
                pre_depth = _leave(node, out, pre_depth, anchors)
        if descend:
            stack.append(node)
            node = node.child
            continue
        while node is not None and node.next is None and stack:
            node = stack.pop()
            pre_depth = _leave(node, out, pre_depth, anchors)
        node = node.next if node is not None else None
    return out.text()


def _leave(node: LexborNode, out: _TextBuffer, pre_depth: int, anchors: list[int]) -> int:
    """Closes an element: a link's URL after its text, the end of a block; the new <pre> depth."""
    tag = node.tag or ""
    if tag == "a" and anchors:
        out.add(_link_suffix(out.since(anchors.pop()), href(node)))
    if tag == "pre":
        pre_depth -= 1
    if tag in _BLOCK_TAGS:
        out.block_break()
    return pre_depth


def _link_suffix(text: str, href: str | None) -> str:
    """` (URL)` after a link whose text hides where it points; nothing for the rest."""
    if not href or not href.lower().startswith(("http://", "https://")):
        return ""  # hashtag searches (?q=%23…) and tg:// links
    shown = text.strip()
    if not shown or shown.startswith(("@", "#")):
        return ""
    bare_href = _bare_url(href)
    if _bare_url(shown) == bare_href or (
        shown.endswith("…") and bare_href.startswith(_bare_url(shown[:-1]))
    ):
        return ""
    return f" ({href})"


def _bare_url(url: str) -> str:
    bare = url.strip().lower().removeprefix("https://").removeprefix("http://")
    return bare.removeprefix("www.").rstrip("/")


def _emoji(node: LexborNode) -> str:
    """The emoji an emoji image stands for: its text or alt, else the code points in its file name."""
    text = (node.text(deep=True) or node.attributes.get("alt") or "").strip()
    if text:
        return text
    found = _EMOJI_IMAGE.search(node.attributes.get("style") or "")
    if found is None or len(found.group(1)) % 2:
        return ""
    return bytes.fromhex(found.group(1)).decode("utf-8", "replace")


def children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.child
    while child is not None:
        yield child
        child = child.next


def has_class(node: LexborNode, name: str) -> bool:
    if node.tag is None or node.tag.startswith("-"):
        return False
    return name in (node.attributes.get("class") or "").split()


def has_any_class(node: LexborNode, names: frozenset[str]) -> bool:
    if node.tag is None or node.tag.startswith("-"):
        return False
    return not names.isdisjoint((node.attributes.get("class") or "").split())


def text_of(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    text = _SPACES.sub(" ", node.text(deep=True) or "").strip()
    return text or None


def href(node: LexborNode | None) -> str | None:
    """A link's target; t.me writes `&` in outbound links as `&amp;` once too often."""
    if node is None:
        return None
    href = (node.attributes.get("href") or "").strip()
    return href.replace("&amp;", "&") or None
