"""The Whoosh schema: what is indexed and stored for each section."""

from __future__ import annotations

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import text_analyzer

# Bump when the schema or the analysis changes: an index built by another version
# is rebuilt from scratch instead of being updated in place.
SCHEMA_VERSION = 2  # 2: the Porter2 (Snowball English) stemmer

TITLE_BOOST = 3.0
PATH_BOOST = 0.6
BODY_BOOST = 1.0
PATH_SEPARATOR = "\x1f"


def section_schema() -> Schema:
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        article=ID(stored=True),
        article_title=STORED(),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST, spelling=True),
        path=TEXT(analyzer=analyzer, stored=True, field_boost=PATH_BOOST),
        body=TEXT(
            analyzer=analyzer, stored=True, field_boost=BODY_BOOST, chars=True, spelling=True
        ),
        part=ID(stored=True),
        level=NUMERIC(stored=True),
        order=NUMERIC(stored=True, sortable=True),
        hash=STORED(),
    )
