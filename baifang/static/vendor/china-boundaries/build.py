"""Rebuild provinces.geojson (not run by the app or the tests; needs node + npx mapshaper).

Inputs, both public domain / ISC and both derived from Natural Earth (public domain):
  1. ne_50m_admin_1_states_provinces.geojson (Natural Earth 1:50m Admin 1, v5.x) — the 31 mainland
     provinces, with their ISO 3166-2 codes;
  2. world-atlas@2.0.2 countries-50m.json (npm, ISC; Natural Earth 1:50m Admin 0) — 台湾, 香港, 澳门,
     which Natural Earth keeps as admin-0 units: they are added as provinces of China here.

    python build.py NE_ADMIN1.geojson WORLD_ATLAS_DIR OUT.geojson

Each feature gets ``code`` (the 2-digit GB/T 2260 code of customers/divisions.py; 71/81/82 for
台湾/香港/澳门) and ``name`` (the Chinese name). Geometry is simplified with mapshaper (Visvalingam,
keeping shapes, half of the vertices) and written with 3 decimals (~100 m).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

GB_CODES = {
    "CN-BJ": "11", "CN-TJ": "12", "CN-HE": "13", "CN-SX": "14", "CN-NM": "15", "CN-LN": "21",
    "CN-JL": "22", "CN-HL": "23", "CN-SH": "31", "CN-JS": "32", "CN-ZJ": "33", "CN-AH": "34",
    "CN-FJ": "35", "CN-JX": "36", "CN-SD": "37", "CN-HA": "41", "CN-HB": "42", "CN-HN": "43",
    "CN-GD": "44", "CN-GX": "45", "CN-HI": "46", "CN-CQ": "50", "CN-SC": "51", "CN-GZ": "52",
    "CN-YN": "53", "CN-XZ": "54", "CN-SN": "61", "CN-GS": "62", "CN-QH": "63", "CN-NX": "64",
    "CN-XJ": "65",
}  # fmt: skip
ADMIN0 = {"Taiwan": ("71", "台湾省"), "Hong Kong": ("81", "香港特别行政区"), "Macao": ("82", "澳门特别行政区")}


def main(admin1: str, world_atlas: str, out: str) -> None:
    features = []
    for f in json.loads(Path(admin1).read_text())["features"]:
        p = f["properties"]
        if p.get("iso_a2") == "CN":
            features.append({"type": "Feature", "properties": {"code": GB_CODES[p["iso_3166_2"]], "name": p["name_zh"]}, "geometry": f["geometry"]})
    with tempfile.TemporaryDirectory() as tmp:
        countries = Path(tmp) / "countries.geojson"
        subprocess.run(["npx", "mapshaper", "-i", f"{world_atlas}/countries-50m.json", "-target", "countries",
                        "-o", str(countries), "format=geojson"], check=True)  # fmt: skip
        for f in json.loads(countries.read_text())["features"]:
            if f["properties"]["name"] in ADMIN0:
                code, name = ADMIN0[f["properties"]["name"]]
                features.append({"type": "Feature", "properties": {"code": code, "name": name}, "geometry": f["geometry"]})
        assert len(features) == 34, len(features)
        features.sort(key=lambda f: f["properties"]["code"])
        merged = Path(tmp) / "merged.geojson"
        merged.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
        subprocess.run(["npx", "mapshaper", "-i", str(merged), "-simplify", "visvalingam", "50%", "keep-shapes",
                        "-clean", "-o", out, "format=geojson", "precision=0.001"], check=True)  # fmt: skip


if __name__ == "__main__":
    main(*sys.argv[1:4])
