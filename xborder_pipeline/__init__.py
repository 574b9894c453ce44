"""xborder-pipeline: score cross-border catalogues for direct parcels and overseas warehousing."""

__version__ = "0.1.0"
