"""The speech worker's settings, from the environment (an error names the variable)."""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

#: The project's offline model folder, assembled by `npm run setup` (src/dev/speechEnv.ts).
PROJECT_MODEL_DIR = Path(__file__).resolve().parents[2] / ".models" / "whisper-base"
#: What faster-whisper fetches from the Hugging Face hub when no model folder is there.
DEFAULT_MODEL_NAME = "small.en"


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    address: str
    namespace: str
    task_queue: str
    #: A faster-whisper model name (tiny, base.en, small.en, large-v3, ...) or a folder.
    model: str
    #: CPU threads for the model in total (0: all cores).
    threads: int
    #: Chunks transcribed at once, each with its share of the threads (bounded parallelism).
    parallel: int
    #: Beam width of the decoder (1 is greedy: faster, a little less accurate).
    beam_size: int


def _int(env: dict, name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: must be a whole number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw!r}: must be {low}–{high}")
    return value


def choose_model(env: dict) -> str:
    """SPEECH_MODEL (a name) wins; else the folder SPEECH_MODEL_DIR (default: the project's offline
    base model) when it holds a model; else the default name, fetched by faster-whisper as usual."""
    named: Optional[str] = env.get("SPEECH_MODEL") or None
    if named:
        return named
    folder = Path(env.get("SPEECH_MODEL_DIR") or PROJECT_MODEL_DIR)
    if (folder / "model.bin").is_file():
        return str(folder)
    return DEFAULT_MODEL_NAME


def load_settings(env: Optional[dict] = None) -> Settings:
    env = dict(os.environ if env is None else env)
    address = env.get("TEMPORAL_ADDRESS") or "localhost:7233"
    if ":" not in address:
        raise SettingsError(f"TEMPORAL_ADDRESS={address!r}: must be host:port, e.g. localhost:7233")
    return Settings(
        address=address,
        namespace=env.get("TEMPORAL_NAMESPACE") or "default",
        # As src/domain/speech.ts: the main task queue's name plus -speech, so projects on their
        # own queues do not share a speech queue.
        task_queue=env.get("SPEECH_TASK_QUEUE") or f"{env.get('TEMPORAL_TASK_QUEUE') or 'reelflow'}-speech",
        model=choose_model(env),
        threads=_int(env, "SPEECH_THREADS", 0, 0, 256),
        parallel=_int(env, "SPEECH_PARALLEL", 2, 1, 16),
        beam_size=_int(env, "SPEECH_BEAM_SIZE", 5, 1, 10),
    )
