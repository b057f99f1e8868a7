"""The OpenAPI 3 description of the JSON API, written by hand to match CONTRACT.md."""

from __future__ import annotations

from functools import cache
from typing import Any

from indexer.models import MAX_LIMIT
from webui.params import DEFAULT_LIMIT, MAX_PAGE, MAX_QUERY_CHARS

_ERROR = {"$ref": "#/components/schemas/Error"}
# Answers carry an ETag per index generation; If-None-Match with it gets a bodiless 304.
_NOT_MODIFIED = {"description": "Not modified since the ETag sent in If-None-Match"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


@cache
def openapi_document() -> dict[str, Any]:
    string_list = {"type": "array", "items": {"type": "string"}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "foramen",
            "version": "1",
            "description": "Section-level search of medical articles. Every error is "
            '`{"error": "..."}` with a 4xx status.',
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Ranked sections for a query, with highlighted snippets",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "description": "What to search for; empty gives no results. "
                            '"Quoted words" must appear together; -word excludes a word.',
                            "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": MAX_LIMIT,
                                "default": DEFAULT_LIMIT,
                            },
                        },
                        {
                            "name": "exact",
                            "in": "query",
                            "description": "1 searches the words as typed, without "
                            "correcting misspellings (no suggestion).",
                            "schema": {"type": "integer", "enum": [0, 1], "default": 0},
                        },
                        {
                            "name": "prefix",
                            "in": "query",
                            "description": "1 reads the last word as unfinished and matches "
                            "the index words it begins (search as you type).",
                            "schema": {"type": "integer", "enum": [0, 1], "default": 0},
                        },
                        {
                            "name": "explain",
                            "in": "query",
                            "description": "1 adds to each hit an 'explain' object: the "
                            "parts of its score (concepts, field by field, and bonuses), "
                            "which add up to 'score'.",
                            "schema": {"type": "integer", "enum": [0, 1], "default": 0},
                        },
                        {
                            "name": "page",
                            "in": "query",
                            "description": "A page past the last result has no results.",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": MAX_PAGE,
                                "default": 1,
                            },
                        },
                        {
                            "name": "part",
                            "in": "query",
                            "description": "Only sections under this top-level heading.",
                            "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS},
                        },
                        {
                            "name": "article",
                            "in": "query",
                            "description": "Only this article's sections (an article id, as "
                            "in a hit's 'article'); an unknown article finds nothing, an "
                            "empty one means every article. 'total', 'facets' and the pages "
                            "then count within it.",
                            "schema": {
                                "type": "string",
                                "maxLength": MAX_QUERY_CHARS,
                                "pattern": "^([a-z0-9]+(-[a-z0-9]+)*)?$",
                            },
                        },
                    ],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/SearchResult"}, "Results"),
                        "304": _NOT_MODIFIED,
                        "400": _json(_ERROR, "A malformed parameter"),
                    },
                }
            },
            "/api/sections/{id}": {
                "get": {
                    "operationId": "section",
                    "summary": "One section's heading, place and plain text",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Section"}, "The section"),
                        "304": _NOT_MODIFIED,
                        "404": _json(_ERROR, "No section has this id"),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Whether the index answers, and how many sections it holds",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["status", "sections"],
                                "properties": {
                                    "status": {"type": "string", "enum": ["ok"]},
                                    "sections": {"type": "integer", "minimum": 0},
                                },
                            },
                            "Healthy",
                        )
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
                "Hit": {
                    "type": "object",
                    "required": ["id", "title", "path", "url", "score", "snippet"],
                    "properties": {
                        "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                        "title": {"type": "string"},
                        "path": string_list,
                        "url": {"type": "string", "description": "/articles/{article}#{id}"},
                        "score": {"type": "number"},
                        "snippet": {
                            "type": "string",
                            "description": "HTML: escaped text, matches in <mark>, no other tag",
                        },
                        "article": {"type": "string", "description": "the article's id"},
                        "explain": {"type": "object", "description": "with explain=1"},
                        "article_title": {"type": "string"},
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "required": ["query", "total", "page", "limit", "suggestion", "results"],
                    "properties": {
                        "query": {"type": "string"},
                        "total": {"type": "integer", "minimum": 0},
                        "page": {"type": "integer", "minimum": 1},
                        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                        "suggestion": {"type": "string", "nullable": True},
                        "corrected": {
                            "type": "boolean",
                            "description": "true when the results are already those of "
                            "'suggestion' (a spelling correction), not a 'did you mean'",
                        },
                        "missing": {
                            "description": "words of the query that no section holds",
                            **string_list,
                        },
                        "relaxed": {
                            "type": "boolean",
                            "description": "no section matched every required word: "
                            "these are the closest matches",
                        },
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                        "next": {
                            "type": "string",
                            "nullable": True,
                            "description": "the URL of the next page of results; null on the last",
                        },
                        "prev": {
                            "type": "string",
                            "nullable": True,
                            "description": "the URL of the previous page; null on the first",
                        },
                        "facets": {
                            "type": "array",
                            "description": "matches per top-level part of the articles, "
                            "most first, counted over every part even when 'part' filters",
                            "items": {
                                "type": "object",
                                "required": ["part", "count"],
                                "properties": {
                                    "part": {"type": "string"},
                                    "count": {"type": "integer", "minimum": 1},
                                },
                            },
                        },
                        "article_facets": {
                            "type": "array",
                            "description": "matches per article, most first, counted over "
                            "every article (and every part) even when 'article' filters",
                            "items": {
                                "type": "object",
                                "required": ["article", "title", "count"],
                                "properties": {
                                    "article": {"type": "string"},
                                    "title": {"type": "string"},
                                    "count": {"type": "integer", "minimum": 1},
                                },
                            },
                        },
                    },
                },
                "Section": {
                    "type": "object",
                    "required": ["id", "title", "path", "url", "text"],
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "path": string_list,
                        "url": {"type": "string"},
                        "text": {"type": "string"},
                    },
                },
            }
        },
    }
