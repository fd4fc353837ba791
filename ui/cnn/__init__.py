"""The "Inside a CNN" page: the Tiny VGG's maps, prediction, CAM and experiments on the photo."""

__all__ = ["maps", "page", "views"]
