"""foramen's web app: search pages, article pages that anchor every section, a JSON API.

app.py        create_app(index_dir=..., corpus_dir=...): routes, errors, security headers
routes/       pages.py (/, /search, /search/live, /articles/{slug}) and api.py (/api/...);
              editor.py (/editor/..., only in editor mode: ``create_app(editor=...)``)
editor.py     who may use the editor's pages, CSRF tokens, posted forms checked
urls.py       every address a page links to, built from the route names
articles.py   an article's Markdown -> HTML with section anchors, cached per index build
templates/    base.html and its pages; static/ one small script and one stylesheet
"""

from webui.app import create_app

__all__ = ["create_app"]
