"""The Rasa servers killed mid-conversation: the embedded NLU answers, the metric shows it,
safeguarding still catches a disclosure in both languages, and Rasa is used again once back.
"""
from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.bootstrap import build_app
from bot.metrics import REGISTRY
from bot.settings import load_settings
from nlu import rasa_backend, rasa_env
from nlu.rasa_backend import RasaBackend, free_port
from storage.models import SafeguardingAlert
from tests.support.conversation import ConversationDriver

pytestmark = [pytest.mark.fault, pytest.mark.rasa]

MODEL_CACHE = Path(os.environ.get("CYSWLLT_NLU_CACHE_DIR") or Path.home() / ".cache" / "cyswllt" / "nlu-models")
LANGS = ("en", "cy")


@pytest.fixture
def database_url(sqlite_template, tmp_path) -> str:
    """SQLite only: what is under test is the NLU, and Rasa is slow enough to start once."""
    return sqlite_template.copy_to(tmp_path)


@pytest.fixture(scope="module")
def rasa_models():
    settings = load_settings(environ=dict(os.environ))
    env_dir = rasa_env.build(rasa_env.find_python(settings.rasa.python), rasa_env.env_dir(settings.rasa.env_dir))
    return env_dir, {lang: rasa_backend.train(lang, env_dir, MODEL_CACHE) for lang in LANGS}


class RasaPair:
    """The two Rasa servers on fixed ports, so the bot finds them again after a restart."""

    def __init__(self, env_dir: Path, models: dict[str, Path], logs: Path):
        self.env_dir, self.models, self.logs = env_dir, models, logs
        self.ports = {lang: free_port() for lang in LANGS}
        self.servers: dict[str, rasa_backend.RasaServer] = {}

    @property
    def urls(self) -> dict[str, str]:
        return {lang: f"http://127.0.0.1:{port}" for lang, port in self.ports.items()}

    def start(self) -> None:
        def one(lang):
            return lang, rasa_backend.start_server(lang, self.models[lang], self.env_dir, self.ports[lang], self.logs)
        with ThreadPoolExecutor(2) as pool:
            self.servers.update(pool.map(one, LANGS))

    def kill(self) -> None:
        for server in self.servers.values():
            os.killpg(server.process.pid, signal.SIGKILL)   # its own session: the whole process group
            server.process.wait(timeout=30)

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def rasa_parses() -> float:
    return counted("cyswllt_nlu_parse_seconds_count", backend="rasa")


def fallbacks(lang: str) -> float:
    return counted("cyswllt_nlu_fallbacks_total", lang=lang)


def test_rasa_killed_mid_conversation(rasa_models, settings, clock, tmp_path):
    env_dir, models = rasa_models
    rasa = RasaPair(env_dir, models, tmp_path / "rasa-logs")
    rasa.start()
    settings.nlu.backend = "rasa"
    settings.rasa.url_en, settings.rasa.url_cy = rasa.urls["en"], rasa.urls["cy"]
    app = build_app(settings, clock=clock)
    try:
        nlu = app.dispatcher.nlu
        assert isinstance(nlu, RasaBackend)
        nlu.retry_after_s = 0.5
        english = ConversationDriver(app, channel="sms", address="+447700900501").speaking("en")
        welsh = ConversationDriver(app, channel="telegram", address="700501").speaking("cy")

        before = rasa_parses(), fallbacks("en"), fallbacks("cy")
        english.send("I'd like to find a walking group").expect_lang("en")
        welsh.send("hoffwn i ddod o hyd i grŵp cerdded").expect_lang("cy")
        assert rasa_parses() >= before[0] + 2, "Rasa was not answering before the kill"
        assert (fallbacks("en"), fallbacks("cy")) == before[1:]

        rasa.kill()
        # Mid-conversation: the next turns are answered (by the embedded NLU), in each person's language.
        english.send("MENU").expect("What would you like").expect_lang("en")
        welsh.send("dewislen").expect("Beth hoffech chi").expect_lang("cy")
        english.send("I'd like to find a walking group").expect_lang("en")
        welsh.send("hoffwn i ddod o hyd i grŵp cerdded").expect_lang("cy")
        assert fallbacks("en") > before[1] and fallbacks("cy") > before[2], "the fallback metric did not move"
        assert nlu.health() == {"en": "embedded (rasa unavailable)", "cy": "embedded (rasa unavailable)"}
        # Safeguarding does not depend on Rasa: a disclosure after the kill is caught in both languages.
        english.send("I want to kill myself").expect("116 123", "Thank you for telling me").expect_lang("en")
        welsh.send("dw i isio marw").expect("116 123", "Diolch am ddweud wrtha i").expect_lang("cy")
        assert len(english.rows(SafeguardingAlert)) == 2

        rasa.start()
        time.sleep(nlu.retry_after_s)   # the pause after a failure runs on the real clock
        after_kill = rasa_parses(), fallbacks("en"), fallbacks("cy")
        english.send("MENU").expect_lang("en")
        welsh.send("dewislen").expect_lang("cy")
        assert rasa_parses() >= after_kill[0] + 2, "Rasa was not used again once it was back"
        assert (fallbacks("en"), fallbacks("cy")) == after_kill[1:]
        assert nlu.health() == {"en": "rasa", "cy": "rasa"}
    finally:
        app.close()
        rasa.stop()
