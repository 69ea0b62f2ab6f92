"""Name normalisation for duplicate detection (R-ARCH-9) — plain Python."""

from __future__ import annotations

import re
import unicodedata

# Legal-form suffixes that do not distinguish one customer from another. Longest first.
_LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "分公司",
    "总公司",
    "公司",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd",
    "coltd",
    "limited",
    "ltd",
    "inc",
)
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize_name(name: str) -> str:
    """Fold width and case, drop spaces, punctuation and a trailing legal form.

    "杭州 华联超市（有限公司）" and "杭州华联超市有限公司" normalise alike; brackets are
    dropped but their content is kept, so "苏果超市(中山路店)" stays distinct from "苏果超市".
    """
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _PUNCT.sub("", text)
    for suffix in _LEGAL_SUFFIXES:
        plain = _PUNCT.sub("", suffix)
        if text.endswith(plain) and len(text) > len(plain):
            text = text[: -len(plain)]
            break
    return text
