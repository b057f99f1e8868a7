"""foramen's indexer: from Markdown articles to ranked, highlighted sections.

The pipeline, one module a stage:

    corpus.py    read ``corpus/*.md`` (front matter + Markdown)     -> Article
    chunk.py     split an article at its headings                  -> Section
    analysis.py  one text analysis for indexing and querying
    build.py     write Sections into a Whoosh index, incrementally  -> generation
    manifest.py  what the last build saw of each file (parse only what changed)
    search.py    query -> Whoosh query -> ranked Hits with snippets -> SearchResult

Beside them: ``store.py`` (the index folder: CURRENT pointer, build lock, generations),
``writer.py`` (multi-process writes for big builds), ``schema.py``, ``highlight.py``
(snippets from stored offsets) and ``cache.py`` (the result LRU).

Understanding a query, between what was typed and the Whoosh query:

    synonyms.py      ``corpus/synonyms.txt``: parse, validate, publish with the index
    vocabulary.py    what one index generation knows: terms, speller, synonyms
    spelling.py      correct words the index does not know
    understanding.py words -> concepts (fillers, corrections, synonym runs)
    query.py         concepts -> scored Whoosh query with bonuses and a min-match
    ranking.py       top N, exact total and part counts in one pass, under a time budget
    scoring.py       score tables that replace Whoosh's per-document matcher trees
    concepts.py      recurring concepts' matches, remembered per generation
    atleast.py, matching.py   query nodes Whoosh 2.7 lacks or gets wrong
    evaluation.py    the relevance suite behind ``foramen eval``

``models.py`` holds the two types that travel along it (``Section`` and ``Hit``);
``errors.py`` the errors of our own.
"""
