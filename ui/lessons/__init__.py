"""The teaching pages: worked examples, building blocks, architectures and the quiz."""

__all__ = ["architectures", "blocks", "quiz", "worked_examples"]
