"""List, inspect and build codecs and writers by name: the process-wide registry and the
loading functions ``codecreg.api`` re-exports (load_codec, get_writer, ...).

This layer sits above the codec contract: it installs ``load_codec`` as the loader of
``CompressionModel.get_pretrained`` (``codec.compression.install_loader``), so the contract
never imports it."""

from __future__ import annotations

import dataclasses
import math
import os
from typing import TYPE_CHECKING, Any

from ..codec import compression
from ..errors import CheckpointError, InvalidNameError
from .discovery import discover
from .names import CODEC_OPTION_ALIASES, CORE_CODEC_OPTIONS, ParsedName, parse_name, reproducible_name
from .registry import Registry
from .specs import CodecSpec, Spec, WriterSpec, bitrate_kbps, codebooks_for_bandwidth

if TYPE_CHECKING:
    from ..audio.writing.writer import AudioWriter
    from ..codec.compression import CompressionModel

_registry: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, filled from the installed entry points on first use."""
    global _registry
    if _registry is None:
        _registry = discover()
    return _registry


def reset_registry(registry: Registry | None = None) -> None:
    """Forget the process-wide registry (rediscover next time), or replace it."""
    global _registry
    _registry = registry


def register(spec: Spec, clobber: bool = False) -> None:
    """Register a spec from running code (a notebook, a test), beside the plugins."""
    get_registry().add(spec.with_origin(spec.plugin or "__main__", spec.distribution or "(in process)"),
                       clobber=clobber)


def list_codecs(pattern: str | None = None) -> list[CodecSpec]:
    """Registered codecs, their names or aliases matching the fnmatch ``pattern``. Imports no model code."""
    return get_registry().find_codecs(pattern)


def codec_info(name: str) -> CodecSpec:
    """The static metadata of a registered codec, by name or alias, without building it.

    ``num_codebooks`` or ``bandwidth`` in the name is applied (``debug?num_codebooks=2``
    has 2 codebooks and their bitrate); a plugin's own options are checked but take
    effect only when the codec is built.
    """
    parsed = parse_name(name, CODEC_OPTION_ALIASES)
    if parsed.scheme is not None:
        raise InvalidNameError(f"{name!r} is not a registered name; metadata of '{parsed.scheme}' sources "
                               "is known once loaded: use load_codec")
    spec = get_registry().codec(parsed.target)
    options = dict(parsed.options)
    core_options = {key: options.pop(key) for key in CORE_CODEC_OPTIONS if key in options}
    _check_option_keys(name, spec, options)
    if "chunk_seconds" in core_options:
        _chunk_seconds_asked(name, core_options.pop("chunk_seconds"))
    _resampler_asked(name, core_options.pop("resampler", None))
    layout = _stereo_asked(name, core_options.pop("stereo", None))
    if layout is not None:
        spec = _stereo_spec(name, spec, layout)
    if not core_options:
        return spec
    n = _codebooks_asked(name, core_options, spec.cardinality, spec.frame_rate, spec.total_codebooks)
    if layout is False and n % 2:
        raise InvalidNameError(f"{name!r}: codes interleaved per codebook hold each level of the left and the right "
                               f"channel, so the number of codebooks must be even; this asks for {n}")
    levels = spec.code_levels()
    if levels is not None and n not in levels.boundaries:
        raise InvalidNameError(f"{name!r}: {n} codebooks cut through a level of this multi-rate codec; its levels "
                               f"end at {', '.join(map(str, levels.boundaries))} rows ({levels.describe()})")
    return dataclasses.replace(spec, num_codebooks=n)


def load_codec(name: str, device: Any = "cpu") -> CompressionModel:
    """Build the codec ``name`` (docs/names.md): a registered name, ``scheme:target``, or a path."""
    registry = get_registry()
    parsed = parse_name(name, CODEC_OPTION_ALIASES)
    options = dict(parsed.options)
    core_options = {key: options.pop(key) for key in CORE_CODEC_OPTIONS if key in options}
    chunk_text = core_options.pop("chunk_seconds", None)
    chunk_seconds = None if chunk_text is None else _chunk_seconds_asked(name, chunk_text)
    resampler = _resampler_asked(name, core_options.pop("resampler", None))
    stereo_text = core_options.pop("stereo", None)
    layout = _stereo_asked(name, stereo_text)

    if parsed.scheme is None:
        spec: Spec = registry.codec(parsed.target)
        _check_option_keys(name, spec, options)
        if layout is not None:
            _stereo_spec(name, spec, layout)  # refuse a stereo spec before building it
        model = spec.load_factory()(device=device, **options)
    else:
        spec = _source_for(registry, parsed)
        _check_option_keys(name, spec, options)
        model = spec.load_factory()(parsed.target, revision=parsed.revision, device=device, **options)

    factory_name = getattr(model, "name", "")
    if layout is not None:
        model = _interleaved_stereo(name, model, layout)
    _apply_codebook_options(name, model, core_options)
    if resampler is not None:
        model.resampler = resampler
    if chunk_seconds is not None:
        if model.coding_plan() is None:
            raise InvalidNameError(f"{name!r}: this codec codes whole inputs only (it declares no coding plan), "
                                   "so chunk_seconds cannot apply; remove it")
        model.set_chunk_seconds(chunk_seconds)
    # chunk_seconds changes memory, never codes: the name keeps what pins the codes down
    pinned = dataclasses.replace(parsed, options={k: v for k, v in parsed.options.items() if k != "chunk_seconds"})
    kept = {**core_options, **({"resampler": resampler} if resampler is not None else {}),
            **({"stereo": stereo_text} if stereo_text is not None else {})}
    model.name = reproducible_name(factory_name, pinned, kept)
    return model


def list_writers() -> list[WriterSpec]:
    """Registered writer backends, in the order ``audio_write`` tries them."""
    return sorted(get_registry().writers.values(), key=lambda spec: (spec.priority, spec.name))


def get_writer(name: str) -> AudioWriter:
    """Build the writer backend ``name``, with options as in ``ffmpeg?binary=/usr/bin/ffmpeg``."""
    parsed = parse_name(name)
    if parsed.scheme is not None:
        raise InvalidNameError(f"{name!r}: writers are selected by a bare name such as 'ffmpeg' or 'soundfile'")
    spec = get_registry().writer(parsed.target)
    _check_option_keys(name, spec, parsed.options)
    writer = spec.load_factory()(**parsed.options)
    writer.name = spec.name
    return writer


def _source_for(registry: Registry, parsed: ParsedName) -> Spec:
    if not parsed.is_path:
        return registry.source(parsed.scheme)
    if not os.path.exists(parsed.target):
        raise CheckpointError(f"no such checkpoint file or folder: {parsed.target!r}")
    spec = registry.source_for_path(parsed.target)
    if spec is None:
        formats = [f"{s.name} ({s.description})" for s in registry.sources.values() if s.claims_path]
        raise CheckpointError(
            f"no installed plugin recognizes the checkpoint at {parsed.target!r}. "
            f"Formats known: {'; '.join(formats) or 'none'}. `codecreg plugins` lists the plugins."
        )
    return spec


def _check_option_keys(name: str, spec: Spec, options: dict[str, str]) -> None:
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        accepted = [*CORE_CODEC_OPTIONS, *spec.options] if spec.kind != "writer" else list(spec.options)
        raise InvalidNameError(
            f"{name!r}: unknown option {', '.join(map(repr, unknown))} for {spec.kind} {spec.name!r}; "
            f"accepted: {', '.join(accepted) or 'none'}"
        )


def _apply_codebook_options(name: str, model: CompressionModel, options: dict[str, str]) -> None:
    if options:
        model.set_num_codebooks(
            _codebooks_asked(name, options, model.cardinality, model.frame_rate, model.total_codebooks))


#: ``stereo=`` values: stereo made of a mono codec, audiocraft's InterleaveStereoCompressionModel(per_timestep=...)
STEREO_LAYOUTS = {"interleave": False, "interleave_per_timestep": True}


def _resampler_asked(name: str, text: str | None) -> str | None:
    from ..audio.reading.conversion import RESAMPLERS

    if text is not None and text not in RESAMPLERS:
        raise InvalidNameError(f"{name!r}: resampler must be {' or '.join(RESAMPLERS)} (julius: audiocraft's "
                               f"convert_audio numbers; soxr: the default), got {text!r}")
    return text


def _stereo_asked(name: str, text: str | None) -> bool | None:
    """``per_timestep`` of the asked layout, None when the name asks for none."""
    if text is None:
        return None
    if text not in STEREO_LAYOUTS:
        raise InvalidNameError(
            f"{name!r}: stereo must be 'interleave' (left and right codes interleaved per codebook, MusicGen "
            f"stereo's layout) or 'interleave_per_timestep' (per time step), got {text!r}")
    return STEREO_LAYOUTS[text]


def _mono_only(name: str, what: str, channels: int) -> InvalidNameError:
    return InvalidNameError(f"{name!r}: stereo= makes a stereo codec of a mono one by coding each channel apart; "
                            f"{what} already has {channels} channels: remove the stereo option")


def _stereo_spec(name: str, spec: CodecSpec, per_timestep: bool) -> CodecSpec:
    """What ``InterleavedStereo`` makes of ``spec``'s metadata (codebook counts, frame rate)."""
    if spec.channels != 1:
        raise _mono_only(name, f"codec {spec.name!r}", spec.channels)
    rows, steps = (1, 2) if per_timestep else (2, 1)
    layout = "per time step" if per_timestep else "per codebook"
    return dataclasses.replace(spec, channels=2, frame_rate=spec.frame_rate * steps,
                               num_codebooks=rows * spec.num_codebooks, total_codebooks=rows * spec.total_codebooks,
                               bandwidths=tuple(2 * bandwidth for bandwidth in spec.bandwidths),
                               notes=" ".join(filter(None, [spec.notes, f"Stereo made of the mono codec: each "
                                                            f"channel coded apart, codes interleaved {layout}."])))


def _interleaved_stereo(name: str, model: CompressionModel, per_timestep: bool) -> CompressionModel:
    from ..codec.stereo import InterleavedStereo

    if model.channels != 1:
        raise _mono_only(name, "the codec built", model.channels)
    stereo = InterleavedStereo(model, per_timestep=per_timestep)
    stereo.resampler = model.resampler
    return stereo


def _chunk_seconds_asked(name: str, text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not (seconds >= 0 and math.isfinite(seconds)):
        raise InvalidNameError(f"{name!r}: chunk_seconds must be a number of seconds >= 0 (0: whole inputs in "
                               f"one pass), got {text!r}")
    return seconds


def _codebooks_asked(name: str, options: dict[str, str], cardinality: int, frame_rate: float,
                           total_codebooks: int) -> int:
    """The number of codebooks that ``num_codebooks`` or ``bandwidth`` in ``options`` asks of a codec."""
    if len(options) > 1:
        raise InvalidNameError(f"{name!r}: give num_codebooks or bandwidth, not both")
    (key, text), = options.items()
    try:
        value = int(text) if key == "num_codebooks" else float(text)
    except ValueError:
        kind = "an integer" if key == "num_codebooks" else "a number of kbps"
        raise InvalidNameError(f"{name!r}: {key} must be {kind}, got {text!r}") from None
    if key == "bandwidth":
        n = codebooks_for_bandwidth(value, cardinality, frame_rate)
        if not 1 <= n <= total_codebooks:
            low = bitrate_kbps(1, cardinality, frame_rate)
            raise InvalidNameError(
                f"{name!r}: bandwidth {value:g} kbps is outside this codec's range "
                f"{low:.3g} to {low * total_codebooks:.3g} kbps"
            )
        return n
    if not 1 <= value <= total_codebooks:
        raise InvalidNameError(f"{name!r}: num_codebooks must be from 1 to {total_codebooks}, got {value}")
    return value


# CompressionModel.get_pretrained builds by name through this layer, which the contract does not import
compression.install_loader(load_codec)
