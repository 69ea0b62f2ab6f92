"""Map tile sources: the presets of ``BAIFANG_MAP_TILES`` and the datum each one draws in (docs/maps.md).

Plain Python (no models): settings.py resolves the setting once at start-up — the Content-Security-Policy
must allow exactly the hosts of the chosen tiles — and the maps and the customer form's picker draw
from the resolved :class:`TileConfig`. With no tiles (the default) nothing is fetched from anywhere:
the maps draw the bundled province boundaries (``static/vendor/china-boundaries``) in WGS-84.

Chinese providers draw in GCJ-02 ("Mars coordinates", AMap and Tencent); 天地图 draws in CGCS2000,
which differs from WGS-84 by centimetres, so it is treated as WGS-84; OpenStreetMap is WGS-84. Points
are converted to the tiles' datum before they are drawn (``baifang.routing.geo.Point.to_crs``, prcoords).
Baidu's tiles are not a preset: they use their own tiling (BD-09 Mercator), which Leaflet cannot draw
without a projection plug-in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from baifang.core.env import csp_source_of

DATUMS = ("WGS84", "GCJ02", "BD09")


@dataclass(frozen=True)
class TileConfig:
    """A resolved tile source: what Leaflet is given, and the hosts the browser may fetch images from."""

    name: str = ""  # "" (no tiles: bundled boundaries), a preset name, or "custom"
    url: str = ""
    crs: str = "WGS84"  # the datum points are converted to before they are drawn
    attribution: str = ""
    subdomains: str = ""
    max_zoom: int = 18
    overlays: tuple[str, ...] = field(default_factory=tuple)  # label layers drawn over the base tiles

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    def csp_sources(self) -> list[str]:
        """The ``img-src`` sources of these tiles: every host, one per subdomain (no wildcards)."""
        sources: list[str] = []
        for template in (self.url, *self.overlays):
            for sub in self.subdomains or "-":
                source = csp_source_of(template.replace("{s}", sub) if self.subdomains else template)
                if source and source not in sources:
                    sources.append(source)
        return sources

    def as_json(self) -> dict:
        """The tiles as the map scripts read them (``tiles`` in the page's JSON)."""
        return {
            "name": self.name,
            "url": self.url,
            "crs": self.crs,
            "attribution": self.attribution,
            "subdomains": self.subdomains,
            "max_zoom": self.max_zoom,
            "overlays": list(self.overlays),
        }


@dataclass(frozen=True)
class Preset:
    """A known provider: its URL template(s), the datum its tiles are drawn in, its credit line."""

    label: str
    url: str
    crs: str
    attribution: str
    subdomains: str = ""
    max_zoom: int = 18
    overlays: tuple[str, ...] = ()
    needs_key: bool = False


_TIANDITU = "https://t{s}.tianditu.gov.cn/DataServer?T=%s_w&x={x}&y={y}&l={z}&tk={key}"

PRESETS: dict[str, Preset] = {
    "amap": Preset(
        "高德地图 AMap (streets)",
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "GCJ02",
        "© 高德软件 AutoNavi",
        subdomains="1234",
    ),
    "amap-satellite": Preset(
        "高德地图 AMap (satellite)",
        "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
        "GCJ02",
        "© 高德软件 AutoNavi",
        subdomains="1234",
    ),
    "tencent": Preset(
        "腾讯地图 Tencent (streets)",
        "https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={-y}&styleid=1000&scene=0",
        "GCJ02",
        "© 腾讯地图 Tencent",
        subdomains="0123",
    ),
    "tianditu": Preset(
        "天地图 Tianditu (vector, with labels; needs BAIFANG_MAP_TILES_KEY)",
        _TIANDITU % "vec",
        "WGS84",  # CGCS2000: within centimetres of WGS-84
        "© 天地图 国家地理信息公共服务平台",
        subdomains="01234567",
        overlays=(_TIANDITU % "cva",),
        needs_key=True,
    ),
    "tianditu-satellite": Preset(
        "天地图 Tianditu (imagery, with labels; needs BAIFANG_MAP_TILES_KEY)",
        _TIANDITU % "img",
        "WGS84",
        "© 天地图 国家地理信息公共服务平台",
        subdomains="01234567",
        overlays=(_TIANDITU % "cia",),
        needs_key=True,
    ),
    "osm": Preset(
        "OpenStreetMap",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "WGS84",
        "© OpenStreetMap contributors",
        max_zoom=19,
    ),
}


def resolve_tiles(
    value: str,
    *,
    crs: str | None = None,
    attribution: str | None = None,
    key: str = "",
    subdomains: str | None = None,
) -> TileConfig:
    """The tiles of ``BAIFANG_MAP_TILES``: "" (none), a preset name, or a company's own URL template.

    ``crs`` is ``BAIFANG_MAP_TILES_CRS``: required knowledge for a custom URL (default GCJ-02, as
    before presets existed), and for a preset it may only repeat the preset's datum — a different one
    would draw every point hundreds of metres off, so it is refused. ``key`` fills ``{key}``.
    """
    value = (value or "").strip()
    if crs is not None and crs.upper() not in DATUMS:
        raise ImproperlyConfigured(f"BAIFANG_MAP_TILES_CRS must be one of {', '.join(DATUMS)}, got {crs!r}")
    crs = crs.upper() if crs else None
    if not value:
        return TileConfig()
    if "/" not in value:
        preset = PRESETS.get(value.lower())
        if preset is None:
            names = ", ".join(PRESETS)
            raise ImproperlyConfigured(
                f"BAIFANG_MAP_TILES must be empty, a preset ({names}) or an http(s) URL template, got {value!r}"
            )
        if crs and crs != preset.crs:
            raise ImproperlyConfigured(
                f"the {value} tiles are drawn in {preset.crs}; BAIFANG_MAP_TILES_CRS={crs} would misplace every point"
            )
        if preset.needs_key and not key:
            raise ImproperlyConfigured(f"the {value} tiles need BAIFANG_MAP_TILES_KEY (the provider's key)")
        config = TileConfig(
            name=value.lower(),
            url=preset.url.replace("{key}", key),
            crs=preset.crs,
            attribution=preset.attribution if attribution is None else attribution,
            subdomains=preset.subdomains,
            max_zoom=preset.max_zoom,
            overlays=tuple(o.replace("{key}", key) for o in preset.overlays),
        )
    else:
        url = value.replace("{key}", key)
        if "{s}" in url and not subdomains:
            subdomains = "abc"  # Leaflet's default
        config = TileConfig(
            name="custom",
            url=url,
            crs=crs or "GCJ02",
            attribution=attribution or "",
            subdomains=(subdomains or "") if "{s}" in url else "",
            max_zoom=19,
        )
    if not urlsplit(config.url).scheme.startswith("http"):
        raise ImproperlyConfigured(f"map tiles URL must be an http(s) URL template, got {value!r}")
    config.csp_sources()  # validates every host now, at start-up
    return config
