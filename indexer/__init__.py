"""foramen's indexer: from Markdown articles to ranked, highlighted sections.

The pipeline, one module a stage:

    corpus.py    read ``corpus/*.md`` (front matter + Markdown)     -> Article
    chunk.py     split an article at its headings                  -> Section
    analysis.py  one text analysis for indexing and querying
    build.py     write Sections into a Whoosh index, incrementally  -> generation
    search.py    query -> Whoosh query -> ranked Hits with snippets -> SearchResult

``models.py`` holds the two types that travel along it (``Section`` and ``Hit``);
``errors.py`` the errors of our own.
"""
