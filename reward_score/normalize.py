"""The one Unicode normalisation applied to answers and option texts before the robust parsers read them.

Why: models write the same answer with other code points — full-width "Answer：（C）", "【C】", an em
dash in "Final answer — C", a non-breaking hyphen in "Anti‑D IgG", a non-breaking space, a Unicode minus
in "−3". Folding them once, in one place, for both sides of every comparison means an answer and an option
text that look the same compare equal. ASCII text is returned as is (it is already in this form), which
keeps the common case free.
"""

from __future__ import annotations

import unicodedata

_FOLD = str.maketrans(
    {
        **dict.fromkeys(
            map(chr, range(0x2010, 0x2016)), "-"
        ),  # hyphen, non-breaking hyphen ... horizontal bar
        "\u2212": "-",  # minus sign
        "\u3010": "[",  # 【
        "\u3011": "]",  # 】
        "\u3014": "[",  # 〔
        "\u3015": "]",  # 〕
        "\u3016": "[",  # 〖
        "\u3017": "]",  # 〗
        "\u3001": ",",  # ideographic comma
        "\u3002": ".",  # ideographic full stop
    }
)


def fold_unicode(text: str) -> str:
    """NFKC (full-width letters and punctuation to ASCII, non-breaking spaces to spaces, ligatures split),
    then the dash family U+2010–U+2015 and U+2212 to "-" and CJK brackets and stops to their ASCII forms."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_FOLD)
