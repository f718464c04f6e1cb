"""How far apart Luoyang's districts and counties are, for matching graduates to jobs.

Each district is placed at its government seat (WGS-84, to about a kilometre); the distance between two
districts is the great-circle distance between their seats. A graduate in 涧西区 and a job in 西工区
are a short bus ride apart, one in 栾川县 is a morning's drive. Outside Luoyang ("other") has no place:
its distance is unknown, and matching treats it as far."""

import math
from functools import cache

# district code (school.models.LUOYANG_DISTRICTS) → (latitude, longitude) of its government seat
SEATS = {
    "laocheng": (34.6837, 112.4694),
    "xigong": (34.6700, 112.4280),
    "chanhe": (34.6810, 112.5000),
    "jianxi": (34.6580, 112.3960),
    "luolong": (34.6190, 112.4640),
    "yanshi": (34.7270, 112.7900),
    "mengjin": (34.8260, 112.4450),
    "xin_an": (34.7280, 112.1320),
    "yiyang": (34.5150, 112.1790),
    "yichuan": (34.4210, 112.4250),
    "ruyang": (34.1540, 112.4730),
    "songxian": (34.1350, 112.0850),
    "luanchuan": (33.7860, 111.6150),
    "luoning": (34.3890, 111.6530),
}
EARTH_RADIUS_KM = 6371.0


@cache
def distance_km(a: str, b: str) -> float | None:
    """Kilometres between two districts' seats (0 for the same district); None when either is unknown."""
    if a == b and a in SEATS:
        return 0.0
    if a not in SEATS or b not in SEATS:
        return None
    (lat1, lon1), (lat2, lon2) = (map(math.radians, SEATS[a]), map(math.radians, SEATS[b]))
    # Haversine: exact enough at this scale, and symmetric.
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return round(2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h)), 1)


def nearest_first(origin: str, districts) -> list[str]:
    """The districts ordered by their distance from `origin`, unknown ones last."""
    return sorted(
        districts, key=lambda district: (distance_km(origin, district) is None, distance_km(origin, district) or 0)
    )
