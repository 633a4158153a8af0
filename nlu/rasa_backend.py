"""The production NLU: Rasa 3.6 servers (one per language) in their own Python 3.10 env.

Training and serving run the `rasa` executable of the env built by nlu/rasa_env.py. The bot talks
to the servers over HTTP (`POST /model/parse`) and falls back to the embedded backend, logging
once per outage, when a server is down or slow.
"""
from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from filelock import FileLock

from nlu.metrics import NLU_FALLBACKS, NLU_SECONDS
from nlu import entities, rasa_env, training_data
from nlu.decision import decide
from nlu.result import INTENTS, Entity, NLUBackend, Parse

log = logging.getLogger(__name__)

LANGS = ("en", "cy")
# DIET's softmax is sharp: a top intent below this is a guess (gibberish, emoji), so out of scope.
MIN_CONFIDENCE = 0.6
# Keep Rasa quiet and offline: no telemetry calls home, no TensorFlow banner.
RASA_ENV_VARS = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
                 "PYTHONWARNINGS": "ignore", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


class RasaError(Exception):
    """Training or serving failed; the message names the file, setting or log to look at."""


def model_path(cache_dir: Path, lang: str) -> Path:
    """Where the trained model for the current data lives: a new data hash means a new model."""
    key = training_data.data_hash(lang, rasa_env.requirements_hash())
    return cache_dir / "rasa" / f"nlu-{lang}-{key}.tar.gz"


def _rasa_environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(RASA_ENV_VARS)
    return env


def train(lang: str, env_dir: Path, cache_dir: Path, log_fn=print) -> Path:
    """Train `rasa train nlu` for one language unless the model for this data is cached."""
    target = model_path(cache_dir, lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    # A test run and a person training at once: the second waits and then reuses the model.
    with FileLock(str(target) + ".lock"):
        return _train_locked(lang, env_dir, target, log_fn)


def _train_locked(lang: str, env_dir: Path, target: Path, log_fn) -> Path:
    if target.exists():
        log_fn(f"Rasa model for {lang} is up to date: {target}")
        return target
    rasa = rasa_env.rasa_executable(env_dir)
    if not rasa.exists():
        raise RasaError(f"no Rasa environment at {env_dir}: run `cyswllt nlu setup-rasa` first")
    with tempfile.TemporaryDirectory(prefix=f"cyswllt-rasa-{lang}-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        for f in training_data.training_files(lang):  # test.yml is never copied
            shutil.copy(f, data / f.name)
        config = training_data.NLU_DIR / lang / "config.yml"
        log_fn(f"Training Rasa NLU for {lang} (config {config})")
        cmd = [str(rasa), "train", "nlu", "--nlu", str(data), "--config", str(config),
               "--out", str(Path(tmp) / "models"), "--fixed-model-name", "model"]
        result = subprocess.run(cmd, cwd=tmp, env=_rasa_environ(), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        built = Path(tmp) / "models" / "model.tar.gz"
        if result.returncode != 0 or not built.exists():
            raise RasaError(f"rasa train nlu failed for {lang}:\n{result.stdout[-3000:]}")
        partial = target.with_suffix(".partial")
        shutil.move(str(built), partial)
        partial.replace(target)
    log_fn(f"Rasa model for {lang}: {target}")
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RasaServer:
    """One running `rasa run --enable-api` process on loopback."""

    lang: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(lang: str, model: Path, env_dir: Path, port: int, log_dir: Path,
                 wait_s: float = 180.0) -> RasaServer:
    """Start a Rasa NLU server for one language and wait until it answers a parse."""
    rasa = rasa_env.rasa_executable(env_dir)
    if not rasa.exists():
        raise RasaError(f"no Rasa environment at {env_dir}: run `cyswllt nlu setup-rasa` first")
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"rasa-{lang}-{port}.log"
    cmd = [str(rasa), "run", "--enable-api", "--model", str(model), "--port", str(port),
           "--interface", "127.0.0.1", "--log-file", str(log_path)]
    with log_path.open("ab") as out:
        process = subprocess.Popen(cmd, cwd=str(log_dir), env=_rasa_environ(),
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = RasaServer(lang, port, process, log_path)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RasaError(f"Rasa server for {lang} exited ({process.returncode}); see {log_path}")
        try:
            r = httpx.post(f"{server.url}/model/parse", json={"text": "hi"}, timeout=2.0)
            if r.status_code == 200 and r.json().get("intent"):
                return server
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    server.stop()
    raise RasaError(f"Rasa server for {lang} did not answer within {wait_s:.0f} s; see {log_path}")


class RasaBackend:
    """NLUBackend over the Rasa HTTP API, falling back to another backend when a server fails.

    After a failure the server is left alone for `retry_after_s` (the fallback answers at
    once), then tried again: a hung server would otherwise cost every turn the whole timeout.
    """

    def __init__(self, urls: dict[str, str], timeout_s: float, fallback: NLUBackend,
                 default_lang: str = "cy", client: httpx.Client | None = None,
                 retry_after_s: float = 5.0, monotonic=time.monotonic):
        self.urls = urls
        self.timeout_s = timeout_s
        self.fallback = fallback
        self.default_lang = default_lang
        self.client = client or httpx.Client(timeout=timeout_s)
        self.retry_after_s = retry_after_s
        self.monotonic = monotonic
        self._down: set[str] = set()  # languages whose outage has already been logged
        self._retry_at: dict[str, float] = {}  # language -> when to try its server again

    def parse(self, text: str, lang: str) -> Parse:
        lang = lang if lang in self.urls else self.default_lang
        text = text if isinstance(text, str) else ""
        started = self.monotonic()
        if started < self._retry_at.get(lang, float("-inf")):
            return self._fall_back(text, lang)
        try:
            response = self.client.post(f"{self.urls[lang]}/model/parse",
                                        json={"text": text[:5000]}, timeout=self.timeout_s)
            response.raise_for_status()
            parse = from_rasa_json(response.json())
        except Exception as exc:  # down, slow, or answering nonsense: the person still gets a reply
            self._retry_at[lang] = self.monotonic() + self.retry_after_s
            if lang not in self._down:
                self._down.add(lang)
                log.warning("Rasa NLU for %s at %s unavailable (%s); using the embedded NLU "
                            "until it answers again", lang, self.urls.get(lang), exc)
            return self._fall_back(text, lang)
        NLU_SECONDS.labels(backend="rasa").observe(self.monotonic() - started)
        self._retry_at.pop(lang, None)
        if lang in self._down:
            self._down.discard(lang)
            log.warning("Rasa NLU for %s at %s answering again", lang, self.urls[lang])
        return parse

    def _fall_back(self, text: str, lang: str) -> Parse:
        NLU_FALLBACKS.labels(lang=lang).inc()
        return self.fallback.parse(text, lang)   # the embedded backend counts its own latency

    def health(self) -> dict[str, str]:
        """Per language: "rasa", or "embedded" while its Rasa server is failing (for /healthz)."""
        return {lang: "embedded (rasa unavailable)" if lang in self._down else "rasa" for lang in self.urls}

    def close(self) -> None:
        self.client.close()


def from_rasa_json(data: dict) -> Parse:
    """Turn Rasa's /model/parse answer into a Parse with canonical entity values."""
    intent = data.get("intent") or {}
    scores = {i.get("name"): float(i.get("confidence") or 0.0)
              for i in data.get("intent_ranking") or [] if i.get("name") in INTENTS}
    if not scores and intent.get("name") in INTENTS:
        scores = {intent["name"]: float(intent.get("confidence") or 0.0)}
    name, confidence = decide(scores, MIN_CONFIDENCE)
    found = []
    for e in data.get("entities") or []:
        kind, value = e.get("entity"), str(e.get("value", ""))
        if kind not in ("location", "activity"):
            continue
        canon = entities.canonical_place(value) if kind == "location" else entities.canonical_activity(value)
        found.append(Entity(kind, canon or value, int(e.get("start", 0)), int(e.get("end", 0))))
    return Parse(name, round(confidence, 4), tuple(found))
