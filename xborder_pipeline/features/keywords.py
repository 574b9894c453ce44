"""Keyword matching shared by the fragility and dangerous-goods features.

English keywords match as words: no letter may stand right before or after them (digits may, so
"mah" finds "10000mAh"), and a plural -s or -es is allowed. Chinese keywords match anywhere.
Matching ignores ASCII case. Excluded phrases, matched by the same rules, are removed from the text
before matching.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

_LATIN_LETTER = "a-z"


def listing_text(*columns: str) -> pl.Expr:
    """The named text columns joined by a separator, lower-cased; missing parts are skipped."""
    return pl.concat_str([pl.col(column) for column in columns], separator=" | ", ignore_nulls=True).str.to_lowercase()


def without_phrases(text: pl.Expr, phrases: Sequence[str]) -> pl.Expr:
    """`text` (already lower-case) with every excluded phrase blanked out, under the same word rules as
    keywords: "no battery" is excluded from "no battery included" but not from "arduino battery"."""
    if not phrases:
        return text
    pattern = keyword_pattern(phrases)
    # A match takes the character on each side with it; a second pass finds a phrase that directly
    # follows another ("no battery no batteries").
    return text.str.replace_all(pattern, " ").str.replace_all(pattern, " ")


def keyword_pattern(keywords: Sequence[str]) -> str:
    """One regular expression that finds any of `keywords` under the matching rules above."""
    alternatives = []
    for keyword in sorted({keyword.lower() for keyword in keywords}, key=len, reverse=True):
        escaped = pl.escape_regex(keyword)
        if keyword.isascii():
            # battery -> batteries as well as batterys; glass -> glasses; vase -> vases
            word = f"{pl.escape_regex(keyword[:-1])}(?:y|ies)" if keyword.endswith("y") else escaped
            alternatives.append(f"(?:^|[^{_LATIN_LETTER}]){word}(?:e?s)?(?:$|[^{_LATIN_LETTER}])")
        else:
            alternatives.append(escaped)
    return "|".join(alternatives)


def mentions_any(text: pl.Expr, keywords: Sequence[str]) -> pl.Expr:
    """True where the (lower-case) text contains one of the keywords; False where text is empty."""
    return text.str.contains(keyword_pattern(keywords)).fill_null(False)
