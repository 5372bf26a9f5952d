"""The OpenAPI 3.1 document of the REST API, written by hand (served at /openapi.json and /docs)."""

from __future__ import annotations

from typing import Any

__all__ = ["openapi_document"]


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


_PAGING = [
    _query("limit", "page size (1-200)", {"type": "integer", "minimum": 1, "maximum": 200}),
    _query("offset", "rows to skip", {"type": "integer", "minimum": 0}),
]
_DATES = [
    _query("from", "first day, YYYY-MM-DD", {"type": "string", "format": "date"}),
    _query("to", "last day (inclusive), YYYY-MM-DD", {"type": "string", "format": "date"}),
]
_ERRORS = {
    "400": {"$ref": "#/components/responses/Error"},
    "404": {"$ref": "#/components/responses/Error"},
}


def _get(summary: str, params: list[dict[str, Any]], schema: str, *, html: bool = True) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    if html:
        content["text/html"] = {"schema": {"type": "string"}}
    return {"get": {"summary": summary, "parameters": params,
                    "responses": {"200": {"description": "the page, or its JSON twin", "content": content},
                                  **_ERRORS}}}


def _twins(path: str, operation: dict[str, Any]) -> dict[str, Any]:
    json_only = {"get": {**operation["get"], "summary": operation["get"]["summary"] + " (JSON twin)"}}
    return {path: operation, path + ".json": json_only}


_SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}},
    "StoryRow": {"type": "object", "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "first_date": {"type": ["string", "null"]},
        "last_date": {"type": ["string", "null"]}, "n_articles": {"type": "integer"},
        "n_outlets": {"type": "integer"}, "outlets": {"type": "object", "additionalProperties": {"type": "integer"}},
        "has_comparison": {"type": "boolean"}, "updated_at": {"type": "string"}, "updated": {"type": "boolean"},
        "n_versions": {"type": "integer"}, "article_ids": {"type": "array", "items": {"type": "string"}}}},
    "FeedList": {"type": "array", "description": "the feeds resource (docs/records.md): each watched feed with its"
                 " health, as `parallax feeds list --format json` prints it", "items": {"type": "object"}},
    "Feed": {"type": "object", "description": "one feed of the feeds resource (docs/records.md)"},
    "WatchState": {"type": "object", "properties": {"paused": {"type": "boolean"}, "feeds": {"type": "integer"},
                                                    "active_feeds": {"type": "integer"}}},
    "StoryList": {"type": "array", "items": {"$ref": "#/components/schemas/StoryRow"},
                  "description": "the stories resource (docs/records.md), as `parallax stories --format json`"
                                 " prints it; the X-Total-Count header says how many match, Link the next and"
                                 " previous pages"},
    "Comparison": {"type": "object", "description": "the Comparison record (docs/records.md): story, articles,"
                   " entities, quotes, quote_groups, alignments, unique, missing, conflicts, sources, framing,"
                   " sentences, mentions, source_citations"},
    "Quote": {"type": "object", "properties": {
        "id": {"type": "integer"}, "article_id": {"type": "string"}, "outlet": {"type": "string"},
        "date": {"type": ["string", "null"]}, "title": {"type": "string"}, "kind": {"type": "string"},
        "speaker": {"type": ["string", "null"]}, "speaker_name": {"type": ["string", "null"]},
        "speaker_key": {"type": ["string", "null"]}, "content": {"type": "string"},
        "start": {"type": "integer"}, "end": {"type": "integer"}, "cue": {"type": ["string", "null"]},
        "relay": {"type": ["string", "null"]}, "relay_kind": {"type": ["string", "null"]}}},
    "QuoteList": {"type": "object", "properties": {
        "quotes": {"type": "array", "items": {"$ref": "#/components/schemas/Quote"}},
        "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
        "filters": {"type": "object"}}},
    "EntityList": {"type": "object", "properties": {"entities": {"type": "array", "items": {
        "type": "object", "properties": {"key": {"type": "string"}, "name": {"type": "string"},
                                         "label": {"type": "string"}, "n_articles": {"type": "integer"},
                                         "n_stories": {"type": "integer"}}}}}},
    "EntityPage": {"type": "object", "description": "entity, forms (surface form -> articles), outlets"
                   " (outlet -> quotes), stories, n_quotes and variants: remarks, each with its wordings"
                   " (text, outlets, first_date, quotes, diff against the first wording)"},
    "Article": {"type": "object", "description": "the AnalyzedArticle record (article with its cleaned text and"
                " removed pieces, sentences, mentions, quotes, sources) plus story and entity_keys"},
    "IngestResult": {"type": "object", "properties": {
        "added": {"type": "integer"}, "existing": {"type": "integer"}, "duplicates": {"type": "integer"},
        "near_duplicates": {"type": "integer"}, "errors": {"type": "array", "items": {"type": "string"}},
        "analysis": {"type": "object"}}},
}


def _write(summary: str, schema: str, params: list[dict[str, Any]], *, body: dict[str, Any] | None = None,
           method: str = "post") -> dict[str, Any]:
    """A write that needs the token (a Bearer header, or the ``token`` field of a form post)."""
    answer = {"description": "done", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}
    operation: dict[str, Any] = {"summary": summary, "security": [{"token": []}], "parameters": params,
                                 "responses": {"200": answer, "303": {"description": "a form post: back to /feeds"},
                                               **{c: {"$ref": "#/components/responses/Error"}
                                                  for c in ("400", "401", "403", "404")}}}
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": body}, "application/x-www-form-urlencoded": {"schema": body}}}
    return {method: operation}


def _writes() -> dict[str, Any]:
    feed_id = _path("feed_id", "feed id or URL")
    new_feed = {"type": "object", "required": ["url"], "properties": {
        "url": {"type": "string"}, "outlet": {"type": "string"},
        "every": {"type": ["string", "integer"], "description": "seconds, or a duration such as 10m"}}}
    add = _write("Watch a feed (201 when new, 200 when it was watched and takes the new settings)", "Feed", [],
                 body=new_feed)
    add["post"]["responses"]["201"] = add["post"]["responses"]["200"]
    return {
        "/api/feeds": add,
        "/api/feeds/{feed_id}": _write("Stop watching a feed (its articles stay)", "Feed", [feed_id], method="delete"),
        "/api/feeds/{feed_id}/{action}": _write(
            "Pause or resume a feed", "Feed",
            [feed_id, {**_path("action", "pause or resume"), "schema": {"type": "string", "enum": ["pause", "resume"]}}]),
        "/api/watch": {"get": {"summary": "Whether the store's watchers poll", "responses": {"200": {
            "description": "the watch resource", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/WatchState"}}}}}}},
        "/api/watch/{action}": _write(
            "Stop or start every watcher of this store (the process keeps running)", "WatchState",
            [{**_path("action", "start or stop"), "schema": {"type": "string", "enum": ["start", "stop"]}}]),
    }


def openapi_document() -> dict[str, Any]:
    """The API description: every page route with its JSON twin, ingest, and the error shape."""
    paths: dict[str, Any] = {}
    paths.update(_twins("/stories", _get(
        "Stories, newest and broadest first",
        [_query("q", "full-text search over article titles and text (words are ANDed; \"phrase\", prefix*)"),
         _query("outlet", "only stories with an article from this outlet"),
         _query("entity", "only stories mentioning this entity key"), *_DATES,
         _query("sort", "date (newest day first) or activity (latest article or edit first)",
                {"type": "string", "enum": ["date", "activity"]}), *_PAGING], "StoryList")))
    paths.update(_twins("/feeds", _get("Watched feeds with their health (X-Watch-Paused: 1 when watching is"
                                       " stopped)", [], "FeedList")))
    paths.update(_twins("/stories/{story_id}", _get(
        "One story's comparison across outlets. JSON: the whole stored comparison; with view=page, what the"
        " HTML page shows (a summary and one page of 12 article columns)",
        [_path("story_id", "story id (a unique prefix works)"),
         _query("page", "page of article columns, from 1", {"type": "integer", "minimum": 1}),
         _query("view", "page: the page's summary and columns instead of the whole comparison",
                {"type": "string", "enum": ["page"]})],
        "Comparison")))
    paths.update(_twins("/entities", _get(
        "People and organisations, most mentioned first", [_query("q", "substring of the name"), *_PAGING],
        "EntityList")))
    paths.update(_twins("/entities/{key}", _get(
        "Everything an entity is quoted saying, across outlets and time, with wording variants",
        [_path("key", "entity key, e.g. vladimir-putin")], "EntityPage")))
    paths.update(_twins("/quotes", _get(
        "Quote search", [_query("q", "words in the quote"), _query("speaker", "words in the speaker's name"),
                         _query("outlet", "outlet name"), *_DATES, *_PAGING], "QuoteList")))
    paths.update(_twins("/articles/{article_id}", _get(
        "One article: cleaned text with entities, quotes and relays, and what cleaning removed",
        [_path("article_id", "article id or an alias of it")], "Article")))
    paths["/api/ingest"] = {"post": {
        "summary": "Add articles (JSON) or files (multipart) to the store, then analyse them",
        "security": [{"token": []}],
        "parameters": [_query("analyze", "0 to store without analysing now", {"type": "string", "enum": ["0", "1"]})],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"oneOf": [
                {"type": "object", "description": "one article: text (required), title, outlet, date, url, id"},
                {"type": "array", "items": {"type": "object"}},
                {"type": "object", "properties": {"articles": {"type": "array", "items": {"type": "object"}}}}]}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {
                "type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
        "responses": {
            "201": {"description": "articles added", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/IngestResult"}}}},
            "200": {"description": "nothing new (all already stored)"},
            "400": {"$ref": "#/components/responses/Error"},
            "401": {"$ref": "#/components/responses/Error"},
            "403": {"$ref": "#/components/responses/Error"},
            "413": {"$ref": "#/components/responses/Error"},
            "415": {"$ref": "#/components/responses/Error"}}}}
    paths.update(_writes())
    paths["/api/health"] = {"get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "parallax", "version": "0.1.0",
                 "description": "How the same story is told by different outlets. Every HTML page has a JSON"
                 " twin on the same route: add .json or send Accept: application/json. Reads are open;"
                 " ingest needs the server's token."},
        "paths": paths,
        "components": {
            "schemas": _SCHEMAS,
            "responses": {"Error": {"description": "an error with its HTTP status", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
