"""Travel times between points (latitude, longitude), in integer minutes.

By default a straight line (great-circle distance x road factor at an
average speed); optionally an OSRM server's driving durations.
"""

import math

EARTH_RADIUS_KM = 6371.0088


class TravelError(Exception):
    """The routing server did not answer with a full matrix."""


def haversine_km(a, b):
    """Great-circle distance in km between two (latitude, longitude)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def straight_line_minutes(points, road_factor=1.3, speed_kmh=50):
    """The matrix of minutes between the points: distance x road_factor at
    speed_kmh, rounded to the nearest minute."""
    per_km = 60.0 * road_factor / speed_kmh
    return [[round(haversine_km(a, b) * per_km) for b in points] for a in points]


class OsrmProvider:
    """Driving durations from an OSRM server's table service."""

    def __init__(self, url, timeout=10):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def table(self, points):
        """The matrix of minutes (rounded up) between the points; raises
        TravelError when the server fails or a point is unreachable."""
        import requests

        coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        url = f"{self.url}/table/v1/driving/{coordinates}"
        try:
            response = requests.get(
                url, params={"annotations": "duration"}, timeout=self.timeout
            )
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise TravelError(f"OSRM {self.url}: {exc}") from exc
        durations = data.get("durations") if data.get("code") == "Ok" else None
        if not durations or any(s is None for row in durations for s in row):
            raise TravelError(
                f"OSRM {self.url}: {data.get('code')} {data.get('message', '')}"
            )
        return [[math.ceil(seconds / 60) for seconds in row] for row in durations]
