"""newsfigures: extract the figures that tech-news articles report as checkable claims."""

__version__ = "0.1.0"
