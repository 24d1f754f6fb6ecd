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

# A number right after one of these (within 3 tokens) is an order, a parcel or a payment, not a phone
# or card, unless a phone or card word is nearer: "pedido 612345678", "seguimiento 0034567812345".
REFERENCE_WORDS = {
    "pedido", "pedidos", "ref", "referencia", "seguimiento", "tracking", "factura", "operación",
    "operacion", "localizador", "expediente", "incidencia", "contrato", "albarán", "albaran",
    "order", "reference", "ticket", "lote", "código", "codigo",
}
# A number right before one of these is an amount.
CURRENCY = {"€", "eur", "euros", "euro", "$", "usd", "dólares", "dolares", "libras", "£"}
# "(+34) 612 345 678": the tokenizer cuts the bracketed prefix off the number; it joins the phone.
BRACKETED_PREFIX_RE = re.compile(r"\(\s*(?:\+|00)\d{1,3}\s*\)\s*$")
CONTACT_WORDS = {
    "tel", "tlf", "tfno", "telf", "teléfono", "telefono", "móvil", "movil", "fijo", "whatsapp",
    "llamar", "llamad", "llamadme", "llámame", "llamame", "phone", "mobile", "tarjeta", "visa",
    "mastercard", "amex", "card", "contacto",
}

# One token of a phone or card: digits with the separators people glue in (612-345-678, +34).
NUMBER_TOKEN = r"^[(]?\+?\d[\d.\-()]*$"
LABEL_NUMBER_INFIX = r"(?<=[^\W\d_])[:.=/](?=[+\d])"
MAX_NUMBER_TOKENS = 7  # 4111 1111 1111 1111 111 is 5, +34 91 234 56 78 is 5

# An abbreviated street type takes a name in any case ("c/ mayor 5"); a word ("calle", "plaza") needs a
# capitalised name after it ("Plaza Mayor 4"), so "en la calle hace 30 grados" and "plaza de garaje 3"
# stay. Informal "calle mayor 5" is missed.
STREET_TYPES = [
    "c/", "c/.", "cl", "cl/", "c", "avda", "avda.", "av", "av.", "avd", "avd.", "pza", "pza.", "pl",
    "pl.", "plz", "pº", "p.º", "rda", "cmno", "ctra", "ctra.", "trav", "gta", "urb", "urb.", "psje",
    "pol", "bº",
]
COMMON_NOUN_STREET_TYPES = [
    "calle", "avenida", "plaza", "paseo", "ronda", "camino", "carretera", "travesía", "travesia",
    "glorieta", "urbanización", "urbanizacion", "bulevar", "boulevard", "rambla", "callejón", "pasaje",
    "costanilla", "plazuela", "carrer", "rúa", "rua", "polígono", "poligono", "alameda", "cuesta",
    "vía", "via", "barrio", "partida", "senda", "muelle", "explanada", "sector",
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
    "apartamento", "casa", "km", "bis", ",", ".", "-", "/",
]
DETAIL_TOKEN = (
    r"^(?:\d{1,3}\.?[ºª°oa]?-?(?:[A-Za-z]|(?i:izq|izda|izqda|iz|dcha|drcha|dch|der|ctro|centro))?"
    r"|[A-H]|\d{1,2}\.?[ºª°]-?\d{1,2}\.?[ºª°]?)$"
)
POSTCODE = r"^(?:0[1-9]|[1-4]\d|5[0-2])\d{3}$"
CITY_WORD = r"^[A-ZÁÉÍÓÚÑ][\w'’\-]*$"
MAX_CITY_WORDS = 3
# Without a postcode, only a known city after a comma is taken ("C/ Alcalá 45, 2º dcha., Madrid").
CITIES = [
    "madrid", "barcelona", "valencia", "sevilla", "zaragoza", "málaga", "malaga", "murcia", "palma",
    "bilbao", "alicante", "córdoba", "cordoba", "valladolid", "vigo", "gijón", "gijon", "vitoria",
    "coruña", "granada", "elche", "oviedo", "badalona", "cartagena", "terrassa", "jerez", "sabadell",
    "móstoles", "mostoles", "alcalá", "pamplona", "almería", "almeria", "fuenlabrada", "leganés",
    "leganes", "santander", "burgos", "castellón", "castellon", "albacete", "getafe", "alcorcón",
    "logroño", "logrono", "badajoz", "salamanca", "huelva", "marbella", "lleida", "tarragona", "león",
    "leon", "cádiz", "cadiz", "jaén", "jaen", "ourense", "girona", "lugo", "cáceres", "caceres",
    "santiago", "guadalajara", "toledo", "pontevedra", "palencia", "ciudad", "zamora", "ávila",
    "avila", "cuenca", "huesca", "segovia", "soria", "teruel", "donostia", "san", "las", "santa",
]
CITY_LINKS = ["de", "del", "la", "las", "los", "el", "d'", "l'", "i"]

_Pattern = list[dict[str, Any]]


def _street_starts(name: dict[str, Any]) -> list[_Pattern]:
    """The street type as the tokenizer cuts it ("C/" or "c" "/", "Avda." or "Avda" "."), then its name."""
    dot_or_slash: dict[str, Any] = {"ORTH": {"IN": [".", "/"]}, "OP": "?"}
    capitalised: _Pattern = [
        {"LOWER": {"IN": CITY_LINKS}, "OP": "{0,2}"},
        {"TEXT": {"REGEX": CITY_WORD}},
        {**name, "OP": "{0,4}"},
    ]
    return [
        [{"LOWER": {"IN": STREET_TYPES}}, dot_or_slash, name],
        [{"LOWER": {"IN": ["c", "cl", "av"]}}, {"ORTH": "/"}, name],
        [{"LOWER": {"IN": COMMON_NOUN_STREET_TYPES}}, dot_or_slash, *capitalised],
    ]


def address_patterns() -> list[_Pattern]:
    name: dict[str, Any] = {"TEXT": {"REGEX": NAME_WORD}, "LOWER": {"NOT_IN": NOT_NAME}, "OP": "{1,5}"}
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
    ]
    city = {"TEXT": {"REGEX": CITY_WORD}, "OP": f"{{1,{MAX_CITY_WORDS}}}"}
    # "Alcalá de Henares", "San Sebastián de los Reyes", "Las Palmas de Gran Canaria"
    cities: list[_Pattern] = [[], [city], [city, {"LOWER": {"IN": CITY_LINKS}, "OP": "{1,2}"}, city]]
    known_city: _Pattern = [
        detail, {"ORTH": ","}, {"LOWER": {"IN": CITIES}}, {"TEXT": {"REGEX": CITY_WORD}, "OP": "?"},
    ]
    tails = [[detail], known_city, *([*with_postcode, *c] for c in cities)]
    return [
        [*start, *num, *tail]
        for start in _street_starts(name)
        for num in (number, no_number)
        for tail in tails
    ]


def build_matcher(vocab: Vocab) -> Matcher:
    matcher = Matcher(vocab, validate=True)
    matcher.add("ADDRESS", address_patterns(), greedy="LONGEST")
    # Every contiguous run of 1..7 number tokens is returned (no greedy): the masker validates each
    # run and keeps the longest valid one, so a postcode or a quantity next to a phone is left out.
    matcher.add("NUMBER", [[{"TEXT": {"REGEX": NUMBER_TOKEN}, "OP": f"{{1,{MAX_NUMBER_TOKENS}}}"}]])
    return matcher
