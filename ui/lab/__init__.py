"""The Volume Lab page: the photo as a volume, the filter designer, every map, the explained pixel."""

__all__ = ["context", "designer", "explain", "export", "input_view", "maps", "page", "pipeline", "settings"]
