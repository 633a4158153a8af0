"""Build the NLU backend the settings ask for: the composition root calls build_nlu once."""
from __future__ import annotations

from pathlib import Path

from bot.settings import Settings
from nlu.embedded import EmbeddedBackend
from nlu.result import NLUBackend


def cache_dir(settings: Settings) -> Path:
    """nlu.cache_dir (by default in the user's cache folder; see config.user_dir)."""
    return Path(settings.nlu.cache_dir).expanduser()


def build_nlu(settings: Settings, backend: str | None = None) -> NLUBackend:
    """The configured backend (nlu.backend); Rasa always gets the embedded one as its fallback."""
    name = backend or settings.nlu.backend
    embedded = EmbeddedBackend(cache_dir(settings), settings.service.default_language)
    if name == "embedded":
        return embedded
    if name == "rasa":
        from nlu.rasa_backend import RasaBackend

        urls = {"en": settings.rasa.url_en, "cy": settings.rasa.url_cy}
        return RasaBackend(urls, settings.rasa.timeout_s, embedded,
                           settings.service.default_language)
    raise ValueError(f"nlu.backend (CYSWLLT_NLU_BACKEND) must be embedded or rasa, got {name!r}")
