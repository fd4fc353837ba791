"""What the pages teach, as data and small calculators: real architectures layer by layer (specs in
``specs/``), parameter counts, receptive fields, generated quiz questions, the concept texts' worked
examples, and the NumPy/PyTorch code that reproduces a Lab setup.
"""

from convviz.lessons.architectures import (
    ArchitectureError,
    architecture_table,
    layer_table,
    list_architectures,
)
from convviz.lessons.parameters import connectivity_comparison, conv_params, dense_params
from convviz.lessons.quiz import check_answer, make_question
from convviz.lessons.receptive_field import FieldRow, receptive_field
from convviz.lessons.setup_code import setup_code
from convviz.lessons.worked_examples import list_worked_examples, load_worked_example

__all__ = [
    "ArchitectureError", "FieldRow", "architecture_table", "check_answer", "connectivity_comparison",
    "conv_params", "dense_params", "layer_table", "list_architectures", "list_worked_examples",
    "load_worked_example", "make_question", "receptive_field", "setup_code",
]
