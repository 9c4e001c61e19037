"""newsfigures: extract the figures that tech-news articles report as checkable claims."""

from .lazy_imports import install as _defer_spacy_cli

__version__ = "0.1.0"

_defer_spacy_cli()  # spaCy's command line is imported only if something uses it (pipeline/lazy_imports.py)
