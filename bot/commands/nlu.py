"""`cyswllt nlu ...`: parse, evaluate, train, set up and serve the NLU backends."""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import time
from pathlib import Path

from bot.settings import load_settings

LANGS = ("en", "cy")


def register(subparsers) -> None:
    parser = subparsers.add_parser("nlu", help="language understanding (Welsh and English)")
    sub = parser.add_subparsers(dest="nlu_command", required=True)

    p = sub.add_parser("parse", help="print the intent and entities of one message as JSON")
    _backend_arg(p)
    p.add_argument("--lang", choices=LANGS, required=True)
    p.add_argument("text")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("evaluate", help="score a backend on a Rasa-format NLU YAML file")
    _backend_arg(p)
    p.add_argument("--lang", choices=LANGS, required=True)
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("train", help="train (or load from cache) the models for both languages")
    _backend_arg(p)
    p.add_argument("--lang", choices=LANGS, action="append", help="only this language (repeatable)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("setup-rasa", help="build the pinned Python 3.10 environment for Rasa")
    p.set_defaults(func=cmd_setup_rasa)

    p = sub.add_parser("serve", help="run one Rasa NLU server per language on loopback")
    p.add_argument("--lang", choices=LANGS, action="append", help="only this language (repeatable)")
    p.set_defaults(func=cmd_serve)


def _backend_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=("embedded", "rasa"), default=None,
                   help="default: the nlu.backend setting")


def _setup(args):
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return load_settings(args.settings)


def cmd_parse(args) -> int:
    from bot.nlu_backends import build_nlu

    settings = _setup(args)
    parse = build_nlu(settings, args.backend).parse(args.text, args.lang)
    print(json.dumps({
        "intent": parse.intent,
        "confidence": parse.confidence,
        "entities": [{"entity": e.entity, "value": e.value, "start": e.start, "end": e.end}
                     for e in parse.entities],
    }, ensure_ascii=False))
    return 0


def cmd_evaluate(args) -> int:
    from bot.nlu_backends import build_nlu
    from nlu.evaluate import evaluate_file

    settings = _setup(args)
    if not args.file.exists():
        print(f"cyswllt: NLU data file {args.file} does not exist", file=sys.stderr)
        return 2
    backend = build_nlu(settings, args.backend)
    backend.parse("", args.lang)  # load or train before the clock starts
    report = evaluate_file(backend, args.lang, args.file)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(report.as_text())
    return 0


def cmd_train(args) -> int:
    from nlu import rasa_backend, rasa_env
    from bot.nlu_backends import cache_dir
    from nlu.embedded import load_or_train

    settings = _setup(args)
    langs = args.lang or list(LANGS)
    backend = args.backend or settings.nlu.backend
    for lang in langs:
        if backend == "embedded":
            model = load_or_train(lang, cache_dir(settings))
            print(f"embedded model for {lang} ready ({model.data_hash})")
        else:
            env = rasa_env.env_dir(settings.rasa.env_dir)
            if not rasa_env.is_ready(env):
                print(f"cyswllt: no Rasa environment at {env}: run `cyswllt nlu setup-rasa` "
                      f"(or set rasa.env_dir / CYSWLLT_RASA_ENV_DIR)", file=sys.stderr)
                return 2
            rasa_backend.train(lang, env, cache_dir(settings))
    return 0


def cmd_setup_rasa(args) -> int:
    from nlu import rasa_env

    settings = _setup(args)
    try:
        python = rasa_env.find_python(settings.rasa.python)
        rasa_env.build(python, rasa_env.env_dir(settings.rasa.env_dir))
    except rasa_env.RasaEnvError as exc:
        print(f"cyswllt: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_serve(args) -> int:
    from urllib.parse import urlparse

    from nlu import rasa_backend, rasa_env
    from bot.nlu_backends import cache_dir

    settings = _setup(args)
    env = rasa_env.env_dir(settings.rasa.env_dir)
    urls = {"en": settings.rasa.url_en, "cy": settings.rasa.url_cy}
    servers = []
    try:
        for lang in args.lang or list(LANGS):
            url = urlparse(urls[lang])
            if url.hostname not in ("127.0.0.1", "localhost") or not url.port:
                print(f"cyswllt: rasa.url_{lang} must be http://127.0.0.1:PORT to serve it here "
                      f"(got {urls[lang]!r})", file=sys.stderr)
                return 2
            model = rasa_backend.train(lang, env, cache_dir(settings))
            server = rasa_backend.start_server(lang, model, env, url.port, cache_dir(settings) / "logs")
            servers.append(server)
            print(f"Rasa NLU for {lang} listening on {server.url}", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(s.process.poll() is None for s in servers):
            time.sleep(1)
        print("cyswllt: a Rasa server stopped; see the logs in "
              f"{cache_dir(settings) / 'logs'}", file=sys.stderr)
        return 1
    except rasa_backend.RasaError as exc:
        print(f"cyswllt: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for s in servers:
            s.stop()
