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


# A branch named in brackets at the end: （万塘路店）, (中山路分店), 【城西分公司】, (滨江营业部).
_BRANCH = re.compile(
    r"[（(【\[][^（）()【】\[\]]*(店|分公司|公司|营业部|分部|支行|分行|网点|门市)[)）】\]]\s*$"
)


def base_name(name: str) -> str:
    """The normalised name without a bracketed branch suffix, for near-duplicate warnings (R-ARCH-9).

    "西湖泰恒便利店（万塘路店）" and "西湖泰恒便利店" share the base name "西湖泰恒便利店".
    """
    text = unicodedata.normalize("NFKC", name or "").strip()
    stripped = _BRANCH.sub("", text)
    return normalize_name(stripped or text)


def normalize_address(address: str) -> str:
    """Fold width and drop spaces and punctuation, so "万塘路 18 号" equals "万塘路18号"."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", address or "").lower())
