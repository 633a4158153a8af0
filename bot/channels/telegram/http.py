"""python-telegram-bot's HTTP transport on aiohttp instead of httpx.

Profiling the benchmark showed PTB's default httpx transport spending about 3 ms of CPU per
sendMessage, more than a whole turn through the dispatcher; aiohttp does the same request in a
fraction of that. PTB still builds the requests and turns Telegram's answers into its
exceptions (RetryAfter, Forbidden, ...).
"""
from __future__ import annotations

import asyncio

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
# PTB's "not given" marker's class, through its public DEFAULT_NONE (not telegram._utils).
DefaultValue = type(BaseRequest.DEFAULT_NONE)


class AiohttpRequest(BaseRequest):
    """A BaseRequest that sends with one pooled aiohttp session."""

    def __init__(self, pool_size: int = 64, timeout: float = 10.0):
        self._pool_size = pool_size
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector,
                                                  headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._timeout if isinstance(read_timeout, DefaultValue) or read_timeout is None else read_timeout
        connect = (self._timeout if isinstance(connect_timeout, DefaultValue) or connect_timeout is None
                   else connect_timeout)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
        data, headers = None, None
        if request_data is not None:
            if request_data.contains_files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mimetype) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                data = form
            else:
                # Encoded here, as aiohttp would encode the dict: its FormData also makes a
                # multipart writer (and a random boundary) for every form, used or not.
                data, headers = request_data.url_encoded_parameters().encode(), FORM_HEADERS
        try:
            async with self._session.request(method, url, data=data, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp {type(exc).__name__}: {exc}") from exc
