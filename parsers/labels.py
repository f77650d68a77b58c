"""Label normalisation and matching, shared by every table mapper.

Labels in real reports differ from the official ones by whitespace and line breaks (vertical,
one-character-per-line headers), full/half-width punctuation, list numbering (一、 （一） 1. 1、 (1)),
a few word variants (收到/收, 转结/结转, a missing 第) and small typos. Everything is compared after
``norm``; ``LabelIndex`` matches exactly first, then by containment, then fuzzily.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
# list numbering at the start of a label, possibly repeated ("三、（一）")
_NUMBERING = re.compile(
    r"^(?:第?[一二三四五六七八九十]{1,3}[、.．,，]"
    r"|[(（][一二三四五六七八九十]{1,3}[)）][、.．]?"
    r"|[(（]\d{1,2}[)）][、.．]?"
    r"|\d{1,2}(?:[、．,，]|\.(?!\d))"
    r"|[①-⑳])+"
)
_PAREN = re.compile(r"[(（][^()（）]*[)）]")
_PUNCT = re.compile(r"[\s、，,。.．:：;；“”\"'‘’《》<>「」/／\\|·・\-－—_()（）\[\]【】!！?？*＊]")
# word variants that mean the same label; applied after punctuation is removed
_VARIANTS = (
    ("收到", "收"),
    ("转结", "结转"),
    ("第", ""),
    ("其它", "其他"),
    ("帐", "账"),
    ("部份", "部分"),  # a common misspelling of 部分公开
)


def clean_cell(text: str | None) -> str:
    """Cell text without Word bookmarks; whitespace kept (raw text for the output)."""
    if not text:
        return ""
    if "[bookmark:" in text:
        text = _BOOKMARK.sub("", text)
    return text


@lru_cache(maxsize=8192)
def squash(text: str) -> str:
    """NFKC (full-width to half-width) and no whitespace at all: the text as a reader sees it."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", clean_cell(text)))


@lru_cache(maxsize=8192)
def strip_numbering(text: str) -> str:
    s = squash(text)
    if s.startswith("其中"):
        s = s[2:].lstrip(":：")
    return _NUMBERING.sub("", s)


def _finish(s: str) -> str:
    s = _PUNCT.sub("", s)
    for a, b in _VARIANTS:
        if a in s:
            s = s.replace(a, b)
    return s


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """The comparable form of a label: numbering, punctuation and whitespace removed, variants unified."""
    return _finish(strip_numbering(text))


@lru_cache(maxsize=8192)
def core(text: str) -> str:
    """``norm`` without parenthesised notes ("（不同渠道和方式公开相同信息计1条）")."""
    s = strip_numbering(text)
    if "(" in s:
        s = _PAREN.sub("", s)
    return _finish(s)


class LabelIndex:
    """Maps label variants to a target; built once per label family."""

    def __init__(self, pairs: list[tuple[str, object]], fuzzy: float = 0.78, contain_min: int = 3):
        self.exact: dict[str, object] = {}
        self.cores: dict[str, object] = {}
        for label, target in pairs:
            self.exact.setdefault(norm(label), target)
            c = core(label)
            if c:
                self.cores.setdefault(c, target)
        # longest first, so containment prefers the most specific label
        self._by_len = sorted(self.cores.items(), key=lambda kv: -len(kv[0]))
        self.fuzzy = fuzzy
        self.contain_min = contain_min
        self._cache: dict[str, object] = {}

    def labels(self) -> set[str]:
        """Every normalised label it knows exactly (full and without notes)."""
        return set(self.exact) | set(self.cores)

    def match(self, text: str, *, loose: bool = True):
        """The target of a label, or None. ``loose`` allows containment and fuzzy matching."""
        key = text if loose else "\0" + text
        if key in self._cache:
            return self._cache[key]
        result = self._match(text, loose)
        self._cache[key] = result
        return result

    def _match(self, text: str, loose: bool):
        n = norm(text)
        if not n:
            return None
        if n in self.exact:
            return self.exact[n]
        c = core(text)
        if c in self.cores:
            return self.cores[c]
        if not loose or not c:
            return None
        for label, target in self._by_len:
            if len(label) >= self.contain_min and label in c:
                # the cell says more than the label (a note, a unit): accept when most of it is the label
                if len(label) * 2 >= len(c):
                    return target
        for label, target in self._by_len:
            if len(c) >= self.contain_min and c in label and len(c) * 3 >= len(label) * 2:
                return target
        if len(c) >= 8:
            # a long label cut short ("1.申请人无正当理由逾期不补正" without "、行政机关不再处理…"): the
            # start of exactly one known label
            hits = {target for label, target in self._by_len if label.startswith(c)}
            if len(hits) == 1:
                return hits.pop()
        best, best_ratio = None, self.fuzzy
        for label, target in self._by_len:
            if abs(len(label) - len(c)) > max(3, len(label) // 3):
                continue
            r = SequenceMatcher(None, c, label).ratio()
            if r > best_ratio:
                best, best_ratio = target, r
        return best
