"""The Rasa client against a stand-in server on loopback: parsing, canonical values, fallback."""
from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nlu.rasa_backend import RasaBackend, free_port, from_rasa_json
from nlu.result import Parse


class _Fallback:
    def __init__(self):
        self.calls = 0

    def parse(self, text, lang):
        self.calls += 1
        return Parse("out_of_scope", 0.1, ())


class _StandIn:
    """A real HTTP server that answers /model/parse like Rasa 3.6 does."""

    def __init__(self, answer: dict, delay_s: float = 0.0):
        standin = self
        self.requests: list[dict] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                standin.requests.append(body)
                time.sleep(delay_s)
                payload = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


RASA_ANSWER = {
    "text": "oes côr yng Nghaerdydd?",
    "intent": {"name": "find_activity", "confidence": 0.987654},
    "entities": [
        {"entity": "activity", "start": 4, "end": 7, "value": "côr", "extractor": "DIETClassifier"},
        {"entity": "location", "start": 12, "end": 22, "value": "Caerdydd",
         "processors": ["EntitySynonymMapper"]},
        {"entity": "something_else", "start": 0, "end": 3, "value": "oes"},
    ],
}


@pytest.fixture
def standin():
    server = _StandIn(RASA_ANSWER)
    yield server
    server.close()


def test_parse_over_http(standin):
    fallback = _Fallback()
    backend = RasaBackend({"cy": standin.url, "en": standin.url}, 2.0, fallback)
    parse = backend.parse("oes côr yng Nghaerdydd?", "cy")
    assert parse.intent == "find_activity" and parse.confidence == 0.9877
    assert parse.entity("activity") == "choir"  # canonicalised like the embedded backend
    assert parse.entity("location") == "Caerdydd"
    assert len(parse.entities) == 2
    assert standin.requests == [{"text": "oes côr yng Nghaerdydd?"}]
    assert fallback.calls == 0
    backend.close()


def test_server_down_falls_back_and_logs_once(caplog):
    fallback = _Fallback()
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    backend = RasaBackend({"cy": url, "en": url}, 0.5, fallback)
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_backend"):
        for _ in range(3):
            assert backend.parse("helo", "cy").intent == "out_of_scope"
    assert fallback.calls == 3
    assert len([r for r in caplog.records if "unavailable" in r.message]) == 1
    backend.close()


def test_slow_server_falls_back():
    slow = _StandIn(RASA_ANSWER, delay_s=1.0)
    fallback = _Fallback()
    try:
        backend = RasaBackend({"cy": slow.url}, 0.2, fallback)
        assert backend.parse("helo", "cy").intent == "out_of_scope"
        assert fallback.calls == 1
    finally:
        slow.close()


def test_recovery_is_logged(standin, caplog):
    fallback = _Fallback()
    backend = RasaBackend({"cy": standin.url}, 2.0, fallback)
    backend._down.add("cy")
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_backend"):
        assert backend.parse("helo", "cy").intent == "find_activity"
    assert any("answering again" in r.message for r in caplog.records)


@pytest.mark.parametrize("answer", [{}, {"intent": None}, {"intent": {"name": "made_up"}},
                                    {"intent": {"name": "greet", "confidence": None}, "entities": None}])
def test_odd_answers_become_a_parse(answer):
    assert from_rasa_json(answer).intent in ("out_of_scope", "greet")


def test_a_failing_server_is_left_alone_for_a_while_then_tried_again(standin):
    """A hung Rasa must not cost every turn the whole timeout: after a failure the fallback answers at once."""
    from bot.metrics import REGISTRY

    now = [100.0]
    fallback = _Fallback()
    dead = f"http://127.0.0.1:{free_port()}"
    backend = RasaBackend({"cy": dead}, 0.5, fallback, retry_after_s=5.0, monotonic=lambda: now[0])
    before = REGISTRY.get_sample_value("cyswllt_nlu_fallbacks_total", {"lang": "cy"}) or 0.0
    assert backend.parse("helo", "cy").intent == "out_of_scope"
    backend.urls["cy"] = standin.url            # it is back, but we do not look yet
    now[0] += 4.9
    assert backend.parse("helo", "cy").intent == "out_of_scope"
    assert standin.requests == [] and backend.health() == {"cy": "embedded (rasa unavailable)"}
    now[0] += 0.2
    assert backend.parse("helo", "cy").intent == "find_activity"
    assert len(standin.requests) == 1 and backend.health() == {"cy": "rasa"}
    assert fallback.calls == 2
    assert REGISTRY.get_sample_value("cyswllt_nlu_fallbacks_total", {"lang": "cy"}) == before + 2
    backend.close()
