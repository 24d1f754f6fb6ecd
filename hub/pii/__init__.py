"""Recognise and mask personal data in Spanish (and English) customer text, for logs and exports.

    from hub.pii import mask, find_personal_data
    mask("Mi DNI es 12345678Z y mi móvil 612 345 678")  # -> "Mi DNI es [DNI] y mi móvil [PHONE]"
    find_personal_data(text)  # -> [Span(start, end, label), ...], label in LABELS

Kinds: DNI and NIE (check letter), IBAN (country length and mod-97), CARD (13-19 digits, issuer
digit 2-6, Luhn), PHONE (Spanish 9 digits from 6/7/8/9 with optional +34/0034, or international
+/00 with 8-15 digits), EMAIL, ADDRESS (street type, name, number or s/n, floor and door, postcode,
city after a postcode).

How: every candidate is found by a pattern and then VALIDATED (validators.py), so order numbers,
prices, dates, references with a wrong checksum and DNI-like strings with a wrong letter stay. A
phone or card candidate is also dropped when a reference word ("pedido", "seguimiento", "factura",
...) is among the 3 tokens before it and no contact word ("tel", "móvil", "tarjeta", ...) is, or when
a currency follows it ("612.345.678 €").

spaCy parts used, and why:
- ``spacy.blank("es")``: only the Spanish tokenizer (its exceptions keep "C/", "Avda.", "3º",
  "12345678Z", e-mails and "612-345-678" whole). No statistical model: NER models are trained on
  people, places and organisations, not DNIs or IBANs, and they need a download; rules need none.
- ``Matcher`` token patterns (patterns.py) for what is a sequence of words: addresses (street type
  from a list, name words that stop at "y", "que", "en"..., house number, floor/door words, postcode,
  city) with ``greedy="LONGEST"``; and runs of 1-7 number tokens, all sub-runs returned, so a phone
  or card split into groups ("+34 612 34 56 78", "4111 1111 1111 1111") is found, and the validator
  picks the run that is a real number, leaving a postcode or a quantity next to it alone.
- plain regexes over the text where tokens are clumsy: IBAN in groups of four (the tokenizer gives
  "ES91" and "2100" separately, and a word after it must be cut off by length), DNI/NIE with dots
  and dashes, e-mails (tokens' LIKE_EMAIL misses "a@b.es." at a sentence end less often than it
  should, and a regex is exact about the boundaries).
Judged and not used: Presidio (needs a spaCy model download plus its own recognisers, whose
Spanish coverage of DNI/NIE/IBAN is thin and would be these same rules); ``EntityRuler`` (gives
entities but no hook to validate a checksum before they are set; the Matcher's matches are
validated first); ``PhraseMatcher`` (street types are a token attribute set, LOWER IN is enough).

Cost: the pipeline is built once per process (lazily, under a lock; ~0.1 s) and calls are
serialised under that lock. A message with no digit and no "@" returns at once. Median cost per
typical message: docs/benchmarks/pii_masker.md.
"""

from hub.pii.masker import LABELS, Span, find_personal_data, mask

__all__ = ["LABELS", "Span", "find_personal_data", "mask"]
