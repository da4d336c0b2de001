"""The one table of the transformers families this plugin loads, by ``model_type`` in config.json.

Plain strings, so the path sniffer and the error messages read it without importing torch
or transformers; the loader imports a family's classes only when it builds one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """``model_class``: the transformers class that loads the checkpoint; ``adapter``: the class
    (``"module:class"`` in this package) that puts it behind the contract; ``feature_extractor``:
    the transformers class its model's ``input_features`` come from, for the families that take them."""

    model_class: str
    adapter: str
    feature_extractor: str = ""


#: model_type -> its family
FAMILIES = {
    "encodec": Family("EncodecModel", "encodec_codec:TransformersEncodec"),
    "dac": Family("DacModel", "dac_codec:TransformersDac"),
    "mimi": Family("MimiModel", "mimi_codec:TransformersMimi"),
    "xcodec": Family("XcodecModel", "xcodec_codec:TransformersXcodec"),
    "xcodec2": Family("Xcodec2Model", "xcodec2_codec:TransformersXcodec2", "Xcodec2FeatureExtractor"),
    "wavtokenizer": Family("WavTokenizerModel", "wavtokenizer_codec:TransformersWavTokenizer"),
    "neucodec": Family("NeuCodecModel", "neucodec_codec:TransformersNeuCodec", "NeuCodecFeatureExtractor"),
    "higgs_audio_v2_tokenizer": Family("HiggsAudioV2TokenizerModel", "xcodec_codec:TransformersXcodec"),
}
