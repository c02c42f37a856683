"""
The activity's payload, as plain JSON both sides validate (the TypeScript side with zod in
src/domain/speech.ts). Field names are camelCase because they are the wire format.
"""

from dataclasses import dataclass
from typing import Any, Optional

ACTIVITY_NAME = "transcribe_audio"


class InvalidRequest(ValueError):
    """The request itself is wrong; the message names the field."""


@dataclass(frozen=True)
class TranscribeRequest:
    #: Audio (or any media ffmpeg/PyAV can decode) as the worker sees it.
    audio_path: str
    #: Folder for this job's chunk results and the words file (created if missing).
    out_dir: str
    #: Target chunk length; chunks are cut at the quietest point near it.
    chunk_s: float = 60.0
    #: ISO language code, or None to detect it per chunk.
    language: Optional[str] = None


def _field(raw: dict, name: str, kind: type, default: Any = None, required: bool = False) -> Any:
    value = raw.get(name, default)
    if value is None:
        if required:
            raise InvalidRequest(f"transcribe_audio input: {name} is required")
        return default
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidRequest(f"transcribe_audio input: {name} must be a {kind.__name__}, got {value!r}")
    return value


def parse_request(raw: Any) -> TranscribeRequest:
    if not isinstance(raw, dict):
        raise InvalidRequest(f"transcribe_audio input must be an object, got {type(raw).__name__}")
    unknown = set(raw) - {"audioPath", "outDir", "chunkS", "language"}
    if unknown:
        raise InvalidRequest(f"transcribe_audio input: unknown field(s) {', '.join(sorted(unknown))}")
    request = TranscribeRequest(
        audio_path=_field(raw, "audioPath", str, required=True),
        out_dir=_field(raw, "outDir", str, required=True),
        chunk_s=_field(raw, "chunkS", float, 60.0),
        language=_field(raw, "language", str, None),
    )
    if not request.audio_path.strip():
        raise InvalidRequest("transcribe_audio input: audioPath is empty")
    if not request.out_dir.strip():
        raise InvalidRequest("transcribe_audio input: outDir is empty")
    if not 5 <= request.chunk_s <= 1800:
        raise InvalidRequest(f"transcribe_audio input: chunkS must be 5–1800 s, got {request.chunk_s}")
    return request


def result_payload(
    *,
    words_path: str,
    duration_s: float,
    model: str,
    language: Optional[str],
    chunks: int,
    transcribed: int,
    reused: int,
    word_count: int,
) -> dict:
    return {
        "wordsPath": words_path,
        "durationS": round(duration_s, 3),
        "model": model,
        "language": language,
        "chunks": chunks,
        "chunksTranscribed": transcribed,
        "chunksReused": reused,
        "wordCount": word_count,
    }
