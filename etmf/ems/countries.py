"""Countries as EMS packages name them: ISO 3166 alpha-3 (COUNTRYID), etmf's alpha-2 codes.

A country profile states its alpha-3 code (``country: {alpha3: ...}``) and wins; countries
without a profile of their own (members of a regional profile such as the EU) are looked up
in ``iso3166.json`` (the ISO 3166-1 code table; its ``source`` key says where it came from).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from etmf.profiles import ProfileCatalog


@cache
def _iso_table() -> dict[str, str]:
    raw = json.loads(files("etmf.ems").joinpath("iso3166.json").read_text("utf-8"))
    table: dict[str, str] = raw["alpha3"]
    return table


@dataclass(frozen=True, slots=True)
class CountryCodes:
    to_alpha3: Mapping[str, str]

    def alpha3(self, code: str) -> str | None:
        return self.to_alpha3.get(code)

    def alpha2(self, code: str) -> str | None:
        for alpha2, alpha3 in self.to_alpha3.items():
            if alpha3 == code:
                return alpha2
        return None


def country_codes(catalog: ProfileCatalog | None = None) -> CountryCodes:
    """The ISO table, with the alpha-3 codes the profiles in ``catalog`` state laid over it."""
    table = dict(_iso_table())
    if catalog is not None:
        for code in sorted(catalog.country_codes):
            profile = catalog.for_country(code)
            info = profile.country if profile is not None else None
            if info is not None and info.code == code:
                table[code] = info.alpha3
    return CountryCodes(to_alpha3=table)
