"""What the pages teach, as data and small calculators: real architectures layer by layer (specs in
``specs/``), parameter counts, generated quiz questions and the concept texts' worked examples.
"""

from convviz.lessons.architectures import (
    ArchitectureError,
    architecture_table,
    layer_table,
    list_architectures,
)
from convviz.lessons.parameters import connectivity_comparison, conv_params, dense_params
from convviz.lessons.quiz import check_answer, make_question
from convviz.lessons.worked_examples import list_worked_examples, load_worked_example

__all__ = [
    "ArchitectureError", "architecture_table", "check_answer", "connectivity_comparison", "conv_params",
    "dense_params", "layer_table", "list_architectures", "list_worked_examples", "load_worked_example",
    "make_question"
]
