"""
Hypothesis strategies of hostile request values: numbers in other scripts' digits, numbers no
database integer holds, signs and padding, text with control and text-direction characters, and
JSON values of every type.

Shared by the property tests of the request parsers (tests/test_parsing_properties.py) and the
API fuzzing run, which sends them as the path and query parameters of every GET operation
(tests/fuzz/test_api_fuzz.py). Needs Hypothesis only.

Lone surrogates (U+D800 to U+DFFF) are left out: URLs cannot carry them, and in JSON bodies they
have cases of their own (tests/test_hardening_inputs.py).
"""
from hypothesis import strategies as st

ASCII_DIGITS = "0123456789"

# Decimal digits of every script (category Nd): str.isdigit() is true and int() reads them ("٢٠٢٦" is 2026).
OTHER_DIGITS = st.characters(categories=["Nd"]).filter(lambda char: char not in ASCII_DIGITS)

# Numerals str.isdigit() accepts and int() refuses (superscripts, circled digits), and others.
NUMERALS = st.sampled_from("²³¹⁰₂①⑳¼½ⅫⅯ〇")

# Whitespace that str.strip() removes, the information separators and NEL among it.
WHITESPACE = st.sampled_from(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u2028\u3000")

# The bidirectional embeddings, overrides and isolates.
BIDI = st.sampled_from("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# C0 and C1 control characters, NUL, BEL and DEL among them.
CONTROLS = st.characters(categories=["Cc"])

# What no single line of text may carry.
HIDDEN = st.one_of(CONTROLS, BIDI)

ascii_numbers = st.text(ASCII_DIGITS, min_size=1, max_size=25)

# Past what a database integer holds (2^63 - 1), up to past what int() reads (4300 digits).
huge_numbers = st.one_of(
    st.integers(min_value=2 ** 63 - 2, max_value=10 ** 40).map(str),
    st.integers(min_value=19, max_value=5000).map(lambda digits: "9" * digits),
)


def _insert(parts):
    """``text`` with ``char`` inserted at ``at`` (modulo its length)."""
    text, char, at = parts
    at = at % (len(text) + 1)
    return text[:at] + char + text[at:]


def with_one_of(base, chars):
    """Values of ``base`` with one character of ``chars`` somewhere in them."""
    return st.tuples(base, chars, st.integers(min_value=0, max_value=40)).map(_insert)


# The values each of the review's cases was found with: tried early and often.
NOTORIOUS = ["²", "٢٠٢٦", "٣", "9" * 20, str(2 ** 63), "9" * 5000, "-1", "+2026", " 2026 ", "2026\x00", "\u202e2026",
             "0", "1e3"]

# Text each of the review's cases was found with: a text-direction override and isolate, NUL, BEL,
# an information separator, a line break, a blank.
NOTORIOUS_TEXTS = ["\u202egpj.exe", "\u2066x", "a\x00b", "a\x07b", "a\x1fb", "a\r\nb", " "]

# Text that looks like a number, or nearly: the values a year, an id, a score or a limit is sent as.
number_texts = st.one_of(
    st.sampled_from(NOTORIOUS),
    ascii_numbers,
    st.text(OTHER_DIGITS, min_size=1, max_size=6),
    st.text(st.one_of(st.sampled_from(ASCII_DIGITS), OTHER_DIGITS, NUMERALS), min_size=1, max_size=8),
    st.tuples(st.sampled_from("+-"), ascii_numbers).map("".join),
    st.tuples(st.text(WHITESPACE, max_size=2), ascii_numbers, st.text(WHITESPACE, max_size=2)).map("".join),
    with_one_of(ascii_numbers, HIDDEN),
    huge_numbers,
    st.sampled_from(["", " ", "2026.0", "2.026e3", "1e3", "0x7e6", "0o17", "2_026", "٢٠٢٦", "२०२६", "NaN", "inf",
                     "-0", "00002026", "2026 2027", "2026,2027"]),
)

# Text with, often, a control or text-direction character in it.
hostile_texts = st.one_of(
    st.text(max_size=30),
    with_one_of(st.text(max_size=20), HIDDEN),
    with_one_of(st.text(max_size=20), WHITESPACE),
    st.text(st.one_of(HIDDEN, WHITESPACE, st.sampled_from("a\u200f\u061c")), max_size=8),
)

# Anything a JSON body may carry where text or a number is expected.
json_scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_texts, number_texts,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=6), children, max_size=3)),
    max_leaves=6,
)
