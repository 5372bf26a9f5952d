"""Ingest over HTTP: POST files (multipart) or JSON articles; off unless a token is configured."""

from __future__ import annotations

import hmac
import re
import tempfile
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartParser
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from parallax.errors import InputError
from parallax.model import Article

__all__ = ["check_token", "ingest"]

_MAX_FILES = 100
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def check_token(request: Request) -> None:
    """403 when ingest is off (no token configured), 401 when the request's token is missing or wrong."""
    expected: str | None = request.app.state.ingest_token
    if not expected:
        raise HTTPException(403, "ingest over HTTP is off; start the server with --token-file FILE or PARALLAX_TOKEN set")
    given = request.headers.get("x-parallax-token", "")
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        given = auth[7:].strip()
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            401, "missing or wrong token; send 'Authorization: Bearer <token>'", headers={"WWW-Authenticate": "Bearer"}
        )


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            too_big = int(declared) > limit
        except ValueError:
            raise HTTPException(400, "Content-Length is not a number") from None
        if too_big:
            raise HTTPException(413, f"request body is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _once(body: bytes) -> AsyncGenerator[bytes, None]:
    yield body
    yield b""


async def _uploads(request: Request, body: bytes, limit: int) -> list[tuple[str, bytes]]:
    parser = MultiPartParser(request.headers, _once(body), max_files=_MAX_FILES, max_fields=50, max_part_size=limit)
    try:
        form = await parser.parse()
    except Exception as exc:  # noqa: BLE001 - the parser's errors are all "bad multipart body"
        raise HTTPException(400, f"cannot read the multipart body: {exc}") from None
    files: list[tuple[str, bytes]] = []
    for _, value in form.multi_items():
        if isinstance(value, UploadFile):
            files.append((value.filename or "upload.txt", await value.read()))
            await value.close()
    if not files:
        raise HTTPException(400, "the multipart body holds no file; send each as a 'file' part")
    return files


def _json_articles(body: bytes) -> list[Article | InputError]:
    """The body's articles, read by the same hardened JSON reader as files; 400 when the body is unreadable."""
    from parallax.ingest.jsonl import json_articles, parse_json

    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HTTPException(400, f"body is not UTF-8 (byte {exc.start}); send JSON encoded as UTF-8") from None
    data = parse_json(text, where="body", hint="fix it and send it again")
    if isinstance(data, InputError):
        raise HTTPException(400, f"body {data.problem}; {data.hint}")
    items = list(json_articles(data, source="request"))
    if not items:
        raise HTTPException(400, "no articles in the body; send an object, a list, or {\"articles\": [...]}")
    return items


def _safe_filename(name: str, index: int) -> str:
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip("._") or "upload"
    return f"{index:03d}-{base[:80]}"


def _as_uploaded(message: str, uploaded: dict[str, str]) -> str:
    """``message`` with each upload's path on this server replaced by the name it was sent under."""
    for path in sorted(uploaded, key=len, reverse=True):  # a file's path before its folder's
        message = message.replace(path, uploaded[path])
    return message.replace(tempfile.gettempdir(), "")


def _run_ingest(request: Request, items: list[Article | InputError] | None, files: list[tuple[str, bytes]],
                analyze: bool) -> dict[str, Any]:
    from parallax.pipeline import ingest_articles, ingest_paths

    with request.app.state.writer.connection() as db:
        uploaded: dict[str, str] = {}  # where an upload was written -> the name it was sent under
        if items is not None:
            report = ingest_articles(db, items)
        else:
            with tempfile.TemporaryDirectory(prefix="parallax-upload-") as tmp:
                paths = []
                for i, (name, content) in enumerate(files):
                    path = Path(tmp) / _safe_filename(name, i)
                    path.write_bytes(content)
                    paths.append(path)
                    uploaded[str(path)] = name[:200]
                report = ingest_paths(db, paths)
                uploaded[tmp] = "upload"
        result: dict[str, Any] = {
            "added": report.added,
            "existing": report.existing,
            "duplicates": report.duplicates,
            "near_duplicates": report.near_duplicates,
            "errors": [_as_uploaded(str(e), uploaded) for e in report.errors],
        }
        if analyze and report.added:
            # Analysed by the job runner, off this request and its write lock (web/jobs.py).
            counts = {k: v for k, v in result.items() if k != "errors"} | {"errors": len(report.errors)}
            job = db.create_job("ingest", counts)
            result["job"] = {"id": job.id, "state": job.state, "url": f"/api/jobs/{job.id}"}
    return result


async def ingest(request: Request) -> Response:
    """POST /api/ingest: multipart files or JSON articles into the store. When it added articles (and
    ``analyze=0`` was not given) it answers 202 with a job whose ``GET /api/jobs/ID`` says how the
    background analysis stands; else 201 (added, not analysed) or 200 (nothing new)."""
    check_token(request)
    limit: int = request.app.state.max_upload_bytes
    body = await read_limited(request, limit)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    analyze = request.query_params.get("analyze", "1") not in {"0", "false", "no"}
    items: list[Article | InputError] | None = None
    files: list[tuple[str, bytes]] = []
    if ctype == "application/json":
        items = _json_articles(body)
    elif ctype == "multipart/form-data":
        files = await _uploads(request, body, limit)
    else:
        raise HTTPException(415, "send application/json articles or multipart/form-data files")
    result = await run_in_threadpool(_run_ingest, request, items, files, analyze)
    if "job" in result:
        request.app.state.jobs.wake()
        return JSONResponse(result, status_code=202, headers={"Location": result["job"]["url"]})
    status = 201 if result["added"] else 200
    return JSONResponse(result, status_code=status)
