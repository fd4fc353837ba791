"""The Lab's filter designer: presets, tinted weight grids, transforms, JSON files and the link."""

__all__ = ["grid", "panel", "rows", "tools"]
