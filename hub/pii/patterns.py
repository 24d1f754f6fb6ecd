"""Where candidates come from: regexes over the text and spaCy ``Matcher`` token patterns.

Regexes take what is one string to a person but several (or odd) tokens to a tokenizer: emails,
DNI/NIE with dots and dashes, IBANs in groups of four. Token patterns take what is a sequence of words:
addresses (street type, name, number, floor and door, postcode, city) and runs of digit groups
(phones and card numbers however they are spaced). Nothing here decides; validators.py does.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.matcher import Matcher
from spacy.vocab import Vocab

EMAIL_RE = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# 8 digits (maybe 12.345.678) and a letter, glued, after a dash, or after a space if upper case.
DNI_RE = re.compile(r"(?<![\w.-])(?:\d{8}|\d{2}\.\d{3}\.\d{3})(?:-?[A-Za-z]|\s[A-Z])(?!\w)")
NIE_RE = re.compile(r"(?<![\w.-])[XYZxyz][\s-]?\d{7}[\s-]?[A-Za-z](?!\w)")
# The longest run an IBAN could be: letters, check digits, then alphanumerics with single separators.
# The masker tries the country's length (or 34..15) from the start of the run: words after it are cut.
IBAN_RUN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,34}")

# One token of a phone or card: digits with the separators people glue in (612-345-678, +34).
NUMBER_TOKEN = r"^[(]?\+?\d[\d.\-()]*$"
MAX_NUMBER_TOKENS = 7  # 4111 1111 1111 1111 111 is 5, +34 91 234 56 78 is 5

STREET_TYPES = [
    "c/", "c/.", "cl", "cl/", "calle", "c", "avda", "avda.", "av", "av.", "avd", "avd.", "avenida",
    "plaza", "pza", "pza.", "pl", "pl.", "plz", "paseo", "pº", "p.º", "ronda", "rda", "camino", "cmno",
    "carretera", "ctra", "ctra.", "travesía", "travesia", "trav", "glorieta", "gta", "urbanización",
    "urbanizacion", "urb", "urb.", "bulevar", "boulevard", "rambla", "callejón", "pasaje", "psje",
    "cuesta", "costanilla", "plazuela", "vía", "via", "carrer", "rúa", "rua", "polígono", "pol",
    "barrio", "bº", "partida", "senda", "alameda", "muelle", "explanada", "sector",
]
# Words that end a street name: a sentence going on, not an address.
NOT_NAME = [
    "y", "o", "que", "en", "a", "me", "mi", "mis", "se", "es", "está", "esta", "por", "para", "con",
    "hasta", "desde", "pero", "si", "no", "ni", "porque", "cuando", "donde", "lo", "le", "les", "nos",
    "os", "su", "sus", "un", "una", "unos", "unas", "hay", "he", "ha", "han", "ya", "muy", "al", "te",
    "número", "numero", "num", "núm", "n", "nº", "n.º", "km", "piso", "puerta", "portal", "bajo",
]
NAME_WORD = r"^[^\W\d_][\w'’.\-]*$"
NUMBER_WORDS = ["número", "numero", "num", "núm", "nº", "n.º", "n", "no", "nro", "nr", "#", "km"]
HOUSE_NUMBER = r"^(?:n\.?º)?\d{1,4}(?:[-–/]\d{1,4})?[A-Za-z]?$"
DETAIL_WORDS = [
    "izq", "izda", "izqda", "izquierda", "dcha", "drcha", "dch", "der", "derecha", "centro", "ctro",
    "bajo", "bajos", "bj", "ático", "atico", "entlo", "entresuelo", "principal", "ppal", "pral", "piso",
    "puerta", "pta", "portal", "esc", "escalera", "bloque", "blq", "planta", "pl", "local", "apto",
    "apartamento", "casa", "km", ",", ".", "-", "/",
]
DETAIL_TOKEN = r"^(?:\d{1,3}(?:\.?[ºª°oa]?)[A-Za-z]?|[A-H]|\d{1,2}\.?[ºª°]-?\d{1,2}\.?[ºª°]?)$"
POSTCODE = r"^(?:0[1-9]|[1-4]\d|5[0-2])\d{3}$"
CITY_WORD = r"^[A-ZÁÉÍÓÚÑ][\w'’\-]*$"
MAX_CITY_WORDS = 3

_Pattern = list[dict[str, Any]]


def _street_start() -> list[_Pattern]:
    """The street type as the tokenizer cuts it: "C/" or "c" "/", "Avda." or "Avda" "."."""
    return [
        [{"LOWER": {"IN": STREET_TYPES}}, {"ORTH": {"IN": [".", "/"]}, "OP": "?"}],
        [{"LOWER": {"IN": ["c", "cl", "av"]}}, {"ORTH": "/"}],
    ]


def address_patterns() -> list[_Pattern]:
    name = {"TEXT": {"REGEX": NAME_WORD}, "LOWER": {"NOT_IN": NOT_NAME}, "OP": "{1,5}"}
    number: _Pattern = [
        {"ORTH": ",", "OP": "?"},
        {"LOWER": {"IN": NUMBER_WORDS}, "OP": "?"},
        {"ORTH": ".", "OP": "?"},
        {"TEXT": {"REGEX": HOUSE_NUMBER}},
    ]
    no_number: _Pattern = [{"ORTH": ",", "OP": "?"}, {"LOWER": "s"}, {"ORTH": "/"}, {"LOWER": "n"}]
    detail = {"OP": "{0,8}", "TEXT": {"REGEX": DETAIL_TOKEN + "|^(?i:" + "|".join(
        re.escape(w) for w in DETAIL_WORDS) + ")$"}}
    # A city is taken only after a postcode: "Calle Mayor 5 Gracias" must not take "Gracias".
    with_postcode: _Pattern = [
        detail,
        {"ORTH": ",", "OP": "?"},
        {"TEXT": {"REGEX": POSTCODE}},
        {"ORTH": ",", "OP": "?"},
        {"TEXT": {"REGEX": CITY_WORD}, "OP": f"{{0,{MAX_CITY_WORDS}}}"},
    ]
    return [
        [*start, name, *num, *tail]
        for start in _street_start()
        for num in (number, no_number)
        for tail in ([detail], with_postcode)
    ]


def build_matcher(vocab: Vocab) -> Matcher:
    matcher = Matcher(vocab, validate=True)
    matcher.add("ADDRESS", address_patterns(), greedy="LONGEST")
    # Every contiguous run of 1..7 number tokens is returned (no greedy): the masker validates each
    # run and keeps the longest valid one, so a postcode or a quantity next to a phone is left out.
    matcher.add("NUMBER", [[{"TEXT": {"REGEX": NUMBER_TOKEN}, "OP": f"{{1,{MAX_NUMBER_TOKENS}}}"}]])
    return matcher
