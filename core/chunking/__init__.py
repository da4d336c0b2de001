"""Long audio in chunks with the codes of one pass: what a codec declares (docs/long-audio.md).

A codec returns a plan from ``CompressionModel.coding_plan()``, and the base class's
``encode``, ``decode``, ``encode_stream`` and ``decode_stream`` run it (``driving.py``;
``encode_by_plan``/``decode_by_plan`` for a codec whose own ``encode`` runs a plan of its
choosing):

- ``StagedPlan(encoder, decoder, hop)``: chains of ``Stage``s, each ``Convolutional``
  (stateless, ``context`` frames each side: ``receptive_context(module, steps)``) or
  ``Recurrent`` (causal, state carried from chunk to chunk);
- ``SegmentedPlan(SegmentLayout(length, stride, hop), encode_segment, decode_segment)``
  for a codec that codes fixed segments alone.

Modules: ``stages.py`` (convolution stacks and recurrent layers), ``segments.py``
(segment arithmetic, cross-fading), ``plan.py`` (the plans and the streams that run
them), ``driving.py`` (a model's coding through its plan). Imports torch.
"""

from .driving import decode_by_plan, encode_by_plan
from .plan import SegmentedPlan, StagedPlan
from .segments import SegmentLayout
from .stages import Convolutional, Recurrent, Stage, receptive_context

__all__ = ["Convolutional", "Recurrent", "SegmentLayout", "SegmentedPlan", "Stage", "StagedPlan",
           "decode_by_plan", "encode_by_plan", "receptive_context"]
