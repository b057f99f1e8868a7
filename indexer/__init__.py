"""foramen's indexer: from Markdown articles to ranked, highlighted sections.

The pipeline, one module a stage:

    corpus.py    read ``corpus/*.md`` (front matter + Markdown)     -> Article
    chunk.py     split an article at its headings                  -> Section
    analysis.py  one text analysis for indexing and querying
    build.py     write Sections into a Whoosh index, incrementally  -> generation
    postings.py  each Whoosh segment laid out as arrays, saved beside the generation
    model.py     the generation's scoring model: BM25F over those arrays, live sections
    query/       typed text -> concepts -> plan -> scores -> ranking (see its docstring)
    search.py    the Engine: a snapshot per generation, hits with snippets -> SearchResult

Beside them: ``store.py`` (the index folder: CURRENT pointer, build lock, generations),
``manifest.py`` (what the last build saw of each file), ``writer.py`` (multi-process
writes for big builds), ``schema.py``, ``synonyms.py``, ``spelling.py``,
``highlight.py`` (snippets), ``cache.py`` (the result LRU) and ``evaluation.py`` (the
relevance suite behind ``foramen eval``). The editor's loop: ``staging.py`` (a staged
generation, published only when asked), ``checking.py`` (``build --check`` and
``foramen diff``), ``judgments.py`` (grades written into the suite) and ``querylog.py``
(the server's private query counts).

Whoosh is the index of record (analysis, segments, stored fields, deletions); ranking
happens in numpy over the model, never in Whoosh's matchers.

``models.py`` holds the types that travel along it (``Section``, ``Hit``,
``SearchResult``); ``errors.py`` the errors of our own.
"""
