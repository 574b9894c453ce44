"""Units of weight and length, and currencies, as exports write them; factors to kg and cm.

Exports name units in many ways: `lbs`, `Pounds`, `LB`, `克`, `"`. Each name maps to one short code
(g, kg, lb, oz; mm, cm, m, in, ft, yd), and each code to its factor.
"""

from __future__ import annotations

import re

WEIGHT_TO_KG: dict[str, float] = {
    "mg": 0.000001,
    "g": 0.001,
    "kg": 1.0,
    "lb": 0.45359237,
    "oz": 0.028349523125,
}
LENGTH_TO_CM: dict[str, float] = {
    "mm": 0.1,
    "cm": 1.0,
    "m": 100.0,
    "in": 2.54,
    "ft": 30.48,
    "yd": 91.44,
}
# The units the --weight-unit and --length-unit options accept (their aliases work too).
WEIGHT_UNITS: tuple[str, ...] = ("g", "kg", "lb", "oz")
LENGTH_UNITS: tuple[str, ...] = ("mm", "cm", "m", "in")

_WEIGHT_NAMES: dict[str, str] = {
    "mg": "mg", "milligram": "mg", "milligrams": "mg", "毫克": "mg",
    "g": "g", "gr": "g", "grs": "g", "gm": "g", "gms": "g", "gram": "g", "grams": "g", "gramm": "g",
    "gramme": "g", "grammes": "g", "grammi": "g", "grammo": "g", "gramos": "g", "gramas": "g", "克": "g",
    "kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg", "kilograms": "kg",
    "kilogramm": "kg", "kilogramme": "kg", "kilogrammes": "kg", "kilogrammi": "kg", "kilogramos": "kg",
    "公斤": "kg", "千克": "kg",
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb", "磅": "lb",
    "oz": "oz", "ozs": "oz", "ounce": "oz", "ounces": "oz", "盎司": "oz",
}
_LENGTH_NAMES: dict[str, str] = {
    "mm": "mm", "millimeter": "mm", "millimeters": "mm", "millimetre": "mm", "millimetres": "mm", "毫米": "mm",
    "cm": "cm", "cms": "cm", "centimeter": "cm", "centimeters": "cm", "centimetre": "cm", "centimetres": "cm",
    "厘米": "cm", "公分": "cm",
    "m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m", "米": "m",
    "in": "in", "inch": "in", "inches": "in", '"': "in", "″": "in", "英寸": "in",
    "ft": "ft", "foot": "ft", "feet": "ft", "'": "ft",
    "yd": "yd", "yard": "yd", "yards": "yd",
}

# Currency signs and words found in price cells or headers, when they name one currency unambiguously.
CURRENCY_WORDS: dict[str, str] = {
    "us$": "USD", "us $": "USD", "usd": "USD", "美元": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "欧元": "EUR",
    "£": "GBP", "gbp": "GBP", "英镑": "GBP",
    "cny": "CNY", "rmb": "CNY", "元": "CNY", "人民币": "CNY",
    "jpy": "JPY", "円": "JPY", "日元": "JPY",
    "cad": "CAD", "c$": "CAD", "ca$": "CAD",
    "aud": "AUD", "a$": "AUD", "au$": "AUD",
    "hkd": "HKD", "hk$": "HKD",
    "brl": "BRL", "r$": "BRL",
    "inr": "INR", "₹": "INR",
    "krw": "KRW", "₩": "KRW",
    "chf": "CHF", "sek": "SEK", "nok": "NOK", "dkk": "DKK", "pln": "PLN", "zł": "PLN", "mxn": "MXN",
    "sgd": "SGD", "s$": "SGD", "nzd": "NZD", "twd": "TWD", "nt$": "TWD", "thb": "THB", "฿": "THB",
    "try": "TRY", "₺": "TRY", "rub": "RUB", "₽": "RUB",
}
# Signs stripped from numbers (with the words above); `$` and `¥` alone name no single currency.
CURRENCY_SIGNS: tuple[str, ...] = ("$", "¥", "￥", "€", "£", "₹", "₩", "฿", "₺", "₽", "元", "円")


def _clean(unit: str) -> str:
    return re.sub(r"\s+", " ", unit.strip().lower()).rstrip(".")


def weight_unit(unit: str | None) -> str | None:
    """The short code of a weight unit name (lbs -> lb), or None when it is not one."""
    return None if unit is None else _WEIGHT_NAMES.get(_clean(unit))


def length_unit(unit: str | None) -> str | None:
    """The short code of a length unit name (inches -> in), or None when it is not one."""
    return None if unit is None else _LENGTH_NAMES.get(_clean(unit))


def weight_names() -> dict[str, str]:
    return dict(_WEIGHT_NAMES)


def length_names() -> dict[str, str]:
    return dict(_LENGTH_NAMES)


def currency_code(text: str | None) -> str | None:
    """An ISO code from a currency word or sign that names one currency (€ -> EUR), else None."""
    if text is None:
        return None
    cleaned = _clean(text)
    if re.fullmatch(r"[a-z]{3}", cleaned) and cleaned.upper() not in {"PCS", "SET"}:
        return cleaned.upper()
    return CURRENCY_WORDS.get(cleaned)


_HEADER_UNIT = re.compile(r"[(\[（【]\s*([^)\]）】]+?)\s*[)\]）】]\s*$")


def header_unit(header: str) -> str | None:
    """The unit written in a header's trailing brackets: `Weight (lbs)` -> `lbs`, `重量（克）` -> `克`."""
    match = _HEADER_UNIT.search(header)
    return match.group(1) if match else None


def require_weight_unit(unit: str | None, source: str) -> str | None:
    """The code of a user-given weight unit; a ValueError naming the choices when it is unknown."""
    if unit is None:
        return None
    code = weight_unit(unit)
    if code is None:
        raise ValueError(f"unknown weight unit {unit!r} in {source}; use one of {', '.join(WEIGHT_UNITS)}")
    return code


def require_length_unit(unit: str | None, source: str) -> str | None:
    """The code of a user-given length unit; a ValueError naming the choices when it is unknown."""
    if unit is None:
        return None
    code = length_unit(unit)
    if code is None:
        raise ValueError(f"unknown length unit {unit!r} in {source}; use one of {', '.join(LENGTH_UNITS)}")
    return code


def require_currency(currency: str | None, source: str) -> str | None:
    """A user-given currency as an upper-case three-letter code."""
    if currency is None:
        return None
    code = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"currency {currency!r} in {source} is not a three-letter ISO code such as USD")
    return code
