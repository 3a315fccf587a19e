"""How each marketplace writes numbers and dates, and reading values in that format.

A value that cannot be read unambiguously in its marketplace's format is an error, never a guess:
`1.234` in a comma-decimal marketplace could be 1234 or 1.234, so it is refused. Readers are
vectorised over pandas string Series (a settlement month is millions of rows) and return the rows
they could not read, so the caller can name the line and column.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Marketplace:
    name: str  # the site, as reports name it: `Amazon.com`
    region: str  # NA | EU | FE: the SP-API endpoint that serves it
    currency: str
    decimal: str  # "." or ","
    date_order: str  # "MDY" | "DMY" | "YMD" for slash/dot dates; ISO 8601 is read everywhere
    japanese: bool = False  # its documents may be cp932
    id: str = ""  # Amazon's marketplace id (ATVPDKIKX0DER)
    locale: str = ""
    timezone: str = "UTC"  # the site's own zone, for schedules and what a person reads

    @property
    def money_example(self) -> str:
        return "-1,234.56" if self.decimal == "." else "-1.234,56"


_M = Marketplace
# The one table of Amazon's marketplaces: every fact the house needs about a site.
MARKETPLACES: dict[str, Marketplace] = {
    m.name.lower(): m
    for m in [
        _M("Amazon.com", "NA", "USD", ".", "MDY", id="ATVPDKIKX0DER", locale="en_US", timezone="America/Los_Angeles"),
        _M("Amazon.ca", "NA", "CAD", ".", "MDY", id="A2EUQ1WTGCTBG2", locale="en_CA", timezone="America/Toronto"),
        _M("Amazon.com.mx", "NA", "MXN", ".", "DMY", id="A1AM78C64UM0Y8", locale="es_MX",
           timezone="America/Mexico_City"),
        _M("Amazon.com.br", "NA", "BRL", ",", "DMY", id="A2Q3Y263D00KWC", locale="pt_BR", timezone="America/Sao_Paulo"),
        _M("Amazon.co.uk", "EU", "GBP", ".", "DMY", id="A1F83G8C2ARO7P", locale="en_GB", timezone="Europe/London"),
        _M("Amazon.de", "EU", "EUR", ",", "DMY", id="A1PA6795UKMFR9", locale="de_DE", timezone="Europe/Berlin"),
        _M("Amazon.fr", "EU", "EUR", ",", "DMY", id="A13V1IB3VIYZZH", locale="fr_FR", timezone="Europe/Paris"),
        _M("Amazon.it", "EU", "EUR", ",", "DMY", id="APJ6JRA9NG5V4", locale="it_IT", timezone="Europe/Rome"),
        _M("Amazon.es", "EU", "EUR", ",", "DMY", id="A1RKKUPIHCS9HS", locale="es_ES", timezone="Europe/Madrid"),
        _M("Amazon.nl", "EU", "EUR", ",", "DMY", id="A1805IZSGTT6HS", locale="nl_NL", timezone="Europe/Amsterdam"),
        _M("Amazon.se", "EU", "SEK", ",", "DMY", id="A2NODRKZP88ZB9", locale="sv_SE", timezone="Europe/Stockholm"),
        _M("Amazon.pl", "EU", "PLN", ",", "DMY", id="A1C3SOZRARQ6R3", locale="pl_PL", timezone="Europe/Warsaw"),
        _M("Amazon.com.be", "EU", "EUR", ",", "DMY", id="AMEN7PMS3EDWL", locale="fr_BE", timezone="Europe/Brussels"),
        _M("Amazon.ie", "EU", "EUR", ".", "DMY", id="A28R8C7NBKEWEA", locale="en_IE", timezone="Europe/Dublin"),
        _M("Amazon.com.tr", "EU", "TRY", ",", "DMY", id="A33AVAJ2PDY3EV", locale="tr_TR", timezone="Europe/Istanbul"),
        _M("Amazon.ae", "EU", "AED", ".", "DMY", id="A2VIGQ35RCS4UG", locale="en_AE", timezone="Asia/Dubai"),
        _M("Amazon.sa", "EU", "SAR", ".", "DMY", id="A17E79C6D8DWNP", locale="ar_SA", timezone="Asia/Riyadh"),
        _M("Amazon.eg", "EU", "EGP", ".", "DMY", id="ARBP9OOSHTCHU", locale="ar_EG", timezone="Africa/Cairo"),
        _M("Amazon.in", "EU", "INR", ".", "DMY", id="A21TJRUUN4KGV", locale="en_IN", timezone="Asia/Kolkata"),
        _M("Amazon.co.za", "EU", "ZAR", ".", "DMY", id="AE08WJ6YKNBMC", locale="en_ZA",
           timezone="Africa/Johannesburg"),
        _M("Amazon.co.jp", "FE", "JPY", ".", "YMD", japanese=True, id="A1VC38T7YXB528", locale="ja_JP",
           timezone="Asia/Tokyo"),
        _M("Amazon.com.au", "FE", "AUD", ".", "DMY", id="A39IBJ37TRP1C6", locale="en_AU", timezone="Australia/Sydney"),
        _M("Amazon.sg", "FE", "SGD", ".", "DMY", id="A19VAU5U5O7RUS", locale="en_SG", timezone="Asia/Singapore"),
    ]
}
SITE_BY_ID: dict[str, str] = {m.id: m.name for m in MARKETPLACES.values()}
# The currencies Amazon's reports are written in: a code outside them is a broken file.
CURRENCIES: frozenset[str] = frozenset(m.currency for m in MARKETPLACES.values())
# A currency shared by several sites reads as its first site's format (EUR: Amazon.de).
_BY_CURRENCY: dict[str, str] = {}
for _m in MARKETPLACES.values():
    _BY_CURRENCY.setdefault(_m.currency, _m.name)


def marketplace(name: str | None, default: str = "Amazon.com") -> Marketplace:
    """The marketplace called `name` (its site, case-insensitive, or its id); unknown names read like
    `default`."""
    if name and name in SITE_BY_ID:
        name = SITE_BY_ID[name]
    if name and name.lower() in MARKETPLACES:
        return MARKETPLACES[name.lower()]
    base = MARKETPLACES[default.lower()] if default.lower() in MARKETPLACES else MARKETPLACES["amazon.com"]
    if not name:
        return base
    return dataclasses.replace(base, name=name, id="")


def names_and_ids(*sites: str) -> tuple[str, ...]:
    """The given sites and their marketplace ids: the two spellings a `marketplace` column may hold."""
    return tuple(sites) + tuple(MARKETPLACES[s.lower()].id for s in sites)


def marketplace_for_currency(currency: str | None) -> str | None:
    return _BY_CURRENCY.get((currency or "").upper())


def money_regex(m: Marketplace) -> str:
    """What a money value looks like in `m` (blank values are checked elsewhere)."""
    if m.decimal == ".":
        return r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?$"
    # comma-decimal. A dot followed by one or two digits can only be a decimal point; a lone
    # "1.234" could be 1234 or 1.234, so a single dot group needs its decimal comma to be money.
    return r"^[+-]?(?:\d{1,3}(?:\.\d{3}){2,}(?:,\d{1,2})?|\d{1,3}\.\d{3},\d{1,2}|\d+(?:,\d{1,2})?|\d+\.\d{1,2})$"


_MONEY_PARTS = re.compile(r"^(?P<sign>[+-]?)(?P<int>\d+)(?:[.](?P<frac>\d{1,2}))?$")


def per_distinct(read):
    """Run a reader once per distinct value and spread the results back: a settlement month has
    millions of amounts and dates but only thousands of distinct ones."""

    def wrapper(raw: pd.Series, m: Marketplace) -> tuple[pd.Series, pd.Series]:
        from sellerops.reports.read import distinct  # core sits below reports: imported when used

        codes, uniques = distinct(raw)
        if len(uniques) == 0:
            return read(raw.astype(object), m)
        values, bad = read(pd.Series(uniques, dtype=object), m)
        blank = codes < 0
        safe = np.where(blank, 0, codes)
        out = values.take(safe)
        out = out.where(~blank)
        bad_out = pd.Series(bad.to_numpy(dtype=bool)[safe] & ~blank, index=raw.index)
        out.index = raw.index
        return out.astype(values.dtype), bad_out

    wrapper.__doc__ = read.__doc__
    return wrapper


@per_distinct
def read_money(raw: pd.Series, m: Marketplace) -> tuple[pd.Series, pd.Series]:
    """Parse money text into integer hundredths (nullable Int64); blank is null, not zero.

    Returns (cents, bad) where `bad` marks non-blank values that are not money in `m`'s format.
    """
    s = raw.astype("string").str.strip()
    blank = s.isna() | (s == "")
    ok = s.str.fullmatch(money_regex(m)).fillna(False).astype(bool)
    if m.decimal == ".":
        canon = s.str.replace(",", "", regex=False)
    else:
        plain_dot = s.str.fullmatch(r"[+-]?\d+\.\d{1,2}").fillna(False).astype(bool)
        canon = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        canon = canon.where(~plain_dot, s)
    canon = canon.where(ok & ~blank)
    parts = canon.str.extract(_MONEY_PARTS)
    whole = pd.to_numeric(parts["int"], errors="coerce").astype("Int64")
    frac = pd.to_numeric(parts["frac"].fillna("0").str.ljust(2, "0"), errors="coerce").astype("Int64")
    cents = whole * 100 + frac
    cents = cents.where(parts["sign"] != "-", -cents)
    cents = cents.where(ok & ~blank)
    return cents.astype("Int64"), (~blank & ~ok)


_ZONES = {"UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00", "PST": "-08:00", "PDT": "-07:00", "CET": "+01:00",
          "CEST": "+02:00", "BST": "+01:00", "JST": "+09:00"}
_ZONE_RE = re.compile(r"\s*\b(UTC|GMT|PST|PDT|CET|CEST|BST|JST)$")


def _locale_formats(m: Marketplace) -> list[str]:
    if m.date_order == "MDY":
        dates = ["%m/%d/%Y"]
    elif m.date_order == "YMD":
        dates = ["%Y/%m/%d"]
    else:
        dates = ["%d/%m/%Y", "%d.%m.%Y"]
    out = []
    for d in dates:
        out += [d + " %H:%M:%S%z", d + " %H:%M%z", d + "%z"]
    return out + ["%d-%b-%Y%z"]  # the returns report's `10-Jul-2025`, in every marketplace


def date_regex(m: Marketplace) -> str:
    """What a date or datetime looks like in `m`: ISO 8601 or a day with its month named (`10-Jul-2025`)
    anywhere, else the marketplace's order."""
    iso = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    if m.date_order == "MDY" or m.date_order == "DMY":
        loc = r"\d{1,2}[./]\d{1,2}[./]\d{4}(?: \d{2}:\d{2}(?::\d{2})?)?"
    else:
        loc = r"\d{4}/\d{1,2}/\d{1,2}(?: \d{2}:\d{2}(?::\d{2})?)?"
    named_month = r"\d{1,2}-[A-Za-z]{3}-\d{4}"  # `10-Jul-2025`: a day, never a time
    zone = r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT|PST|PDT|CET|CEST|BST|JST))?"
    return rf"^(?:{iso}|{loc}){zone}$|^{named_month}$"


# The forms Amazon writes (settlement "2026-01-09 12:00:00 UTC", order reports' ISO 8601 with an
# offset, plain dates), each with its exact length: parsed in C when every value has one form.
_FAST_FORMS = (("%Y-%m-%d %H:%M:%S UTC", 23), ("%Y-%m-%dT%H:%M:%S%z", 25), ("%Y-%m-%d", 10))


def _amazon_forms(s: pd.Series, blank: pd.Series) -> pd.Series | None:
    """`s` parsed in one pass when all its values are in one of Amazon's own forms, else None (the
    general reader below then decides, value by value)."""
    filled = s[~blank]
    if filled.empty:
        return None
    lengths = filled.str.len()
    for fmt, width in _FAST_FORMS:
        if not bool((lengths == width).all()):
            continue
        values = pd.to_datetime(filled, format=fmt, utc=True, errors="coerce")
        if bool(values.notna().all()):
            out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
            out[~blank] = values
            return out
    return None


@per_distinct
def read_datetime(raw: pd.Series, m: Marketplace) -> tuple[pd.Series, pd.Series]:
    """Parse dates/datetimes into tz-aware UTC Timestamps. A value without a zone is UTC (Amazon
    writes report times in UTC). Returns (values, bad)."""
    s = raw.astype("string").str.strip()
    blank = s.isna() | (s == "")
    fast = _amazon_forms(s, blank)
    if fast is not None:
        return fast, pd.Series(False, index=s.index)
    shape_ok = s.str.fullmatch(date_regex(m)).fillna(False).astype(bool)
    z = s.str.replace(_ZONE_RE, lambda mm: _ZONES[mm.group(1)], regex=True)
    z = z.str.replace(r"Z$", "+00:00", regex=True)
    z = z.str.replace(r"(\d)\s+([+-]\d{2}):?(\d{2})$", r"\1\2:\3", regex=True)
    todo = ~blank & shape_ok
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
    iso = todo & z.str.match(r"^\d{4}-").fillna(False).astype(bool)
    if iso.any():
        out[iso] = pd.to_datetime(z[iso], format="ISO8601", utc=True, errors="coerce")
    rest = todo & ~iso
    if rest.any():
        zz = z[rest].where(z[rest].str.contains(r"[+-]\d{2}:\d{2}$", regex=True), z[rest] + "+00:00")
        for fmt in _locale_formats(m):
            left = zz[out[rest].isna().values]
            if left.empty:
                break
            out[left.index] = pd.to_datetime(left, format=fmt, utc=True, errors="coerce")
    bad = ~blank & out.isna()
    return out, bad
