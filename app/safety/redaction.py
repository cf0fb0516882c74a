"""Redacts personal identifiers from a question before it reaches Gemini, the database or a log line.

A tested rule set rather than presidio: presidio's recognisers need a spaCy language model, which is
not installable here (models come from a model hub, not PyPI), and its regex recognisers alone cover
less than these rules. Each identifier becomes a typed placeholder (`[EMAIL]`, `[PHONE]`, ...); the
caller keeps only the kinds, never the values.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

Span = tuple[int, int, str]

KINDS = ("EMAIL", "CARD", "NATIONAL_ID", "MRN", "DOB", "PHONE", "ADDRESS", "NAME")

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}[/.-]\d{{1,2}}[/.-]\d{{1,2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTHS}\.?,?(?:\s+\d{{4}})?"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)"
)
EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
SSN = re.compile(
    r"\b\d{3}-\d{2}-\d{4}\b"
    r"|\b(?i:ssn|social security(?: number| no\.?)?)\s*(?:is|:|#)?\s*(?P<value>\d{3}[ -]?\d{2}[ -]?\d{4})\b"
)
NHS = re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")
NINO = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", re.IGNORECASE)
MRN = re.compile(
    r"\b(?i:mrn|medical record(?: number| no\.?| #)?|hospital (?:number|no\.?|id)|patient (?:id|number|no\.?|#)"
    r"|record (?:number|no\.?)|chart (?:number|no\.?))\s*(?i:is|was|:|#|no\.?|number)?\s*[:#]?\s*"
    r"(?P<value>[A-Z0-9]{2,}(?:[ /-][A-Z0-9]{2,}){0,3})\b",
)
DOB = re.compile(
    r"\b(?:born(?:\s+on)?|dob|d\.o\.b\.?|date of birth|birth ?date|birthday)\s*(?:is|was|:|-)?\s*(?:on\s+)?(?:the\s+)?"
    rf"(?P<value>{_DATE})",
    re.IGNORECASE,
)
PHONE = re.compile(
    r"(?<![\w/.])(?:\+\d{1,3}[\s.-]?(?:\(0?\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}"
    r"|\(\d{3}\)\s?\d{3}[\s.-]\d{4}|\(0\d{2,4}\)\s?\d{3,4}\s?\d{3,4}|\d{3}[\s.-]\d{3}[\s.-]\d{4}"
    r"|0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4})(?![\w/])"
)
_STREET = (
    r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|close|crescent|cres"
    r"|terrace|gardens|square|sq|grove|row|parkway|pkwy|highway|hwy|mews|walk|hill)"
)
ADDRESS = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][\w'-]*\s+){{1,4}}(?i:{_STREET})\b\.?(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    rf"(?:,?\s+(?:apt|apartment|flat|unit|suite)\.?\s*\w+)?"
    rf"(?:,\s*[A-Z][a-zA-Z'-]*(?:\s+[A-Z][a-z][a-zA-Z'-]*)?)?(?:,?\s+[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?)?"
    rf"(?:,?\s+[A-Z]{{1,2}}\d[A-Z\d]?\s*\d[A-Z]{{2}})?",
)
PHONE_LOCAL = re.compile(
    r"\b(?i:phone|cell|call|tel|mobile|number|text)\s*(?i:is|:|on|me on)?\s*(?P<value>\d{3}[-.]\d{4})\b"
)
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b")
ZIP_AFTER_STATE = re.compile(r"\b[A-Z][a-z]+,\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\b")
_NAME_WORD = r"[A-Z][a-zA-Z\u00C0-\u024F'-]+"
_NAME_ANY_CASE = r"[A-Za-z\u00C0-\u024F'-]+"
NAME_STRONG = re.compile(
    r"\b(?:my name is|my name's|my names|name is|name:|i am called|i'm called|im called|call me|they call me|"
    r"this is|signed|regards,|thanks,|hi,? i'?m|hello,? i'?m|hey,? i'?m|i go by|go by)\s+"
    rf"(?P<value>{_NAME_ANY_CASE}(?:\s+{_NAME_ANY_CASE}){{0,2}})",
    re.IGNORECASE,
)
NAME_TITLED = re.compile(
    rf"\b(?:(?i:dr|doctor|mr|mrs|ms|miss|mx|nurse|professor|prof))\.?\s+(?P<value>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
)
NAME_RELATIVE = re.compile(
    r"\b(?i:my|our|his|her)\s+(?i:son|daughter|husband|wife|partner|mum|mom|mother|dad|father|brother|sister|"
    r"friend|boyfriend|girlfriend|baby|child|grandson|granddaughter|grandmother|grandfather|grandma|grandpa|nephew|"
    r"niece|aunt|uncle|cousin|neighbour|neighbor|colleague|flatmate|roommate|carer|fiance|fiancee),?\s+"
    rf"(?P<value>{_NAME_WORD}(?:\s+{_NAME_WORD})?)"
)
NAME_INTRO = re.compile(
    r"(?:\b(?i:ask for|speak to|speak with|talk to|tell them|referral:|referral for|patient:|called|named|known as)"
    rf"|^\s*[-\u2013\u2014]|[.!?]\s*[-\u2013\u2014])\s*(?P<value>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
    rf"|\b(?i:it'?s)\s+(?P<here>{_NAME_WORD}(?:\s+{_NAME_WORD})?)\s+(?i:here)\b"
)
NAME_IM = re.compile(rf"\b(?:I'm|I am|Im|Hi,? I'm|Hello,? I'm)\s+(?P<value>{_NAME_WORD}(?:\s+{_NAME_WORD})?)")
_NOT_NAMES = frozenset(
    (
        "a an the and or but i im is was are of to in on at for with from my your his her their our it this"
        " that having feeling worried concerned diabetic pregnant asthmatic allergic type taking on off not"
        " very really so just also still currently here there sick ill fine okay ok well tired dizzy in pain"
        " male female years year old a bit wondering trying asking looking going about after before since"
        " today tomorrow yesterday mg ml has had doctor nurse gp hospital surgery clinic pharmacist dentist"
        " monday tuesday wednesday thursday friday saturday sunday january february march april may june july"
        " august september october november december"
    ).split()
)


@dataclass(frozen=True, slots=True)
class Redaction:
    """The redacted text and how many identifiers of each kind were replaced."""

    text: str
    counts: dict[str, int]

    @property
    def kinds(self) -> list[str]:
        """The kinds found, sorted; never the values."""
        return sorted(self.counts)


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _nhs_ok(digits: str) -> bool:
    weights = range(10, 1, -1)
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], weights, strict=True)) % 11
    return (0 if check == 11 else check) == int(digits[9]) and check != 10


def _value_spans(pattern: re.Pattern[str], kind: str) -> Callable[[str], Iterator[Span]]:
    def find(text: str) -> Iterator[Span]:
        for match in pattern.finditer(text):
            group = "value" if "value" in pattern.groupindex and match.group("value") else 0
            if kind == "MRN" and not any(char.isdigit() for char in match.group(group)):
                continue
            yield match.start(group), match.end(group), kind

    return find


def _cards(text: str) -> Iterator[Span]:
    for match in CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn(digits):
            yield match.start(), match.end(), "CARD"


def _national_ids(text: str) -> Iterator[Span]:
    yield from _value_spans(SSN, "NATIONAL_ID")(text)
    yield from _value_spans(NINO, "NATIONAL_ID")(text)
    for match in NHS.finditer(text):
        intro = text[max(0, match.start() - 25) : match.start()].lower()
        if _nhs_ok(re.sub(r"\D", "", match.group())) or "nhs" in intro or "social security" in intro:
            yield match.start(), match.end(), "NATIONAL_ID"


def _phones(text: str) -> Iterator[Span]:
    for match in PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 10 <= len(digits) <= 15:
            yield match.start(), match.end(), "PHONE"
    yield from _value_spans(PHONE_LOCAL, "PHONE")(text)


def _addresses(text: str) -> Iterator[Span]:
    yield from _value_spans(ADDRESS, "ADDRESS")(text)
    yield from _value_spans(ZIP_AFTER_STATE, "ADDRESS")(text)
    yield from _value_spans(POSTCODE, "ADDRESS")(text)


def _names(text: str) -> Iterator[Span]:
    for pattern in (NAME_STRONG, NAME_TITLED, NAME_RELATIVE, NAME_INTRO, NAME_IM):
        for match in pattern.finditer(text):
            group = "here" if "here" in pattern.groupindex and match.group("here") else "value"
            words = match.group(group).split()
            kept: list[str] = []
            for word in words:
                if word.lower().strip(",.") in _NOT_NAMES or any(ch.isdigit() for ch in word):
                    break
                kept.append(word.rstrip(",."))
            if kept:
                start = match.start(group)
                yield start, start + len(" ".join(kept)), "NAME"


_ANY_DIGIT = re.compile(r"\d")


def _has_digit(text: str) -> bool:
    return _ANY_DIGIT.search(text) is not None


def _has_at(text: str) -> bool:
    return "@" in text


def _always(text: str) -> bool:
    return True


# Each detector with a cheap test its pattern cannot match without: every pattern but the names' has a digit in
# each alternative (an MRN's value must hold one), an email an "@". Most questions hold neither, so they skip
# seven regex passes; tests/safety checks the shortcut never changes a redaction.
DETECTORS: tuple[tuple[Callable[[str], Iterator[Span]], Callable[[str], bool]], ...] = (
    (_value_spans(EMAIL, "EMAIL"), _has_at),
    (_value_spans(MRN, "MRN"), _has_digit),
    (_value_spans(DOB, "DOB"), _has_digit),
    (_cards, _has_digit),
    (_national_ids, _has_digit),
    (_phones, _has_digit),
    (_addresses, _has_digit),
    (_names, _always),
)


def redact(text: str) -> Redaction:
    """Replace every identifier found with its typed placeholder; earlier detectors win overlaps."""
    spans: list[Span] = []
    for detector, possible in DETECTORS:
        if not possible(text):
            continue
        for start, end, kind in detector(text):
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, kind))
    spans.extend(_repeats_of_names(text, spans))
    counts: Counter[str] = Counter()
    pieces, cursor = [], 0
    for start, end, kind in sorted(spans):
        pieces += [text[cursor:start], f"[{kind}]"]
        counts[kind] += 1
        cursor = end
    pieces.append(text[cursor:])
    return Redaction("".join(pieces), dict(counts))


def _repeats_of_names(text: str, spans: list[Span]) -> list[Span]:
    """Later mentions of a name already found ("my son Tom ... Tom has a fever") are names too."""
    extra: list[Span] = []
    names = {text[s:e] for s, e, kind in spans if kind == "NAME"}
    words = {word for name in names for word in name.split() if len(word) > 2}
    for word in words:
        for match in re.finditer(rf"\b{re.escape(word)}\b", text):
            taken = spans + extra
            if all(match.end() <= s or match.start() >= e for s, e, _ in taken):
                extra.append((match.start(), match.end(), "NAME"))
    return extra
