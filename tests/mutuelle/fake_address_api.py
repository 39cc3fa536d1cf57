"""A fake Base Adresse Nationale geocoding service on 127.0.0.1 (a free port): answers
``/search/?q=…&limit=1`` from a table of queries, like the real service (GeoJSON, the best
match first, whatever the town typed)."""

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def feature(*, label, housenumber="", street="", postcode, city, score, kind="housenumber"):
    properties = {
        "label": label,
        "score": score,
        "name": f"{housenumber} {street}".strip(),
        "postcode": postcode,
        "citycode": postcode,
        "city": city,
        "type": kind,
        "street": street,
    }
    if housenumber:
        properties["housenumber"] = housenumber
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [5.38, 43.29]},
        "properties": properties,
    }


# What the real service answers (its nearest match, with its score) for these queries.
KNOWN = {
    "8 boulevard de la Libération 13001 Marseille": feature(
        label="8 Boulevard de la Libération 13001 Marseille",
        housenumber="8",
        street="Boulevard de la Libération",
        postcode="13001",
        city="Marseille",
        score=0.93,
    ),
    "1 La Canebière 13001 Lyon": feature(
        label="1 La Canebière 13001 Marseille",
        housenumber="1",
        street="La Canebière",
        postcode="13001",
        city="Marseille",
        score=0.71,
    ),
    "12 rue Imaginaire 13001 Marseille": feature(
        label="Marseille",
        postcode="13001",
        city="Marseille",
        score=0.32,
        kind="municipality",
    ),
}


class FakeAddressApi(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.queries: list[dict[str, list[str]]] = []
        self.status = 200
        self.delay = 0.0
        self.raw_body: bytes | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/search/"

    def __enter__(self):
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    server: FakeAddressApi

    def do_GET(self):
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query)
        self.server.queries.append(query)
        if self.server.delay:
            time.sleep(self.server.delay)
        if parsed.path != "/search/" or self.server.status != 200:
            self.send_response(404 if parsed.path != "/search/" else self.server.status)
            self.end_headers()
            return
        found = KNOWN.get(query.get("q", [""])[0])
        body = (
            self.server.raw_body
            or json.dumps(
                {"type": "FeatureCollection", "features": [found] if found else []}
            ).encode()
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass
