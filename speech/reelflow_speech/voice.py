"""
Word times put onto the audio. Whisper's word times come from attention alignment: the words of a
segment touch each other, and their shared edges sit some 0.1–0.3 s early (the first word after a
pause often starts inside the pause). Two fixes, both only where the audio has a clear pause:
- a shared edge with a pause near it (0.3 s) moves into that pause: the earlier word ends where
  the pause begins, the later one starts where it ends;
- a word edge left in silence moves onto the nearest voiced frame inside the word.
In continuous speech or noisy audio (music beds) there are no clear pauses and nothing moves.
"""

from typing import List, Tuple

import numpy as np

from .chunks import SAMPLE_RATE

FRAME = 160  # 10 ms
#: Frames this far below the loud frames of the chunk are silence.
SILENCE_DB = -35.0
#: A pause is at least this many silent frames; a shared edge looks this far for one.
MIN_PAUSE_FRAMES = 3
SNAP_S = 0.3


def voiced_frames(samples: np.ndarray) -> np.ndarray:
    frames = len(samples) // FRAME
    if frames == 0:
        return np.zeros(0, dtype=bool)
    rms = np.sqrt(np.square(samples[: frames * FRAME].astype(np.float32)).reshape(frames, FRAME).mean(axis=1))
    loud = float(np.percentile(rms, 95))
    if loud <= 0:
        return np.zeros(frames, dtype=bool)
    return rms > loud * 10 ** (SILENCE_DB / 20)


def pauses(voiced: np.ndarray) -> List[Tuple[float, float]]:
    """Silent runs of at least MIN_PAUSE_FRAMES, as (start_s, end_s)."""
    frame_s = FRAME / SAMPLE_RATE
    runs: List[Tuple[float, float]] = []
    start = None
    for i, is_voiced in enumerate(np.append(voiced, True)):
        if not is_voiced and start is None:
            start = i
        elif is_voiced and start is not None:
            if i - start >= MIN_PAUSE_FRAMES:
                runs.append((start * frame_s, i * frame_s))
            start = None
    return runs


def snap_to_pauses(words: List[dict], voiced: np.ndarray) -> None:
    """Moves each edge two words share into the nearest pause within SNAP_S, in place."""
    runs = pauses(voiced)
    for before, after in zip(words, words[1:]):
        edge = (before["end"] + after["start"]) / 2
        if after["start"] - before["end"] > 0.05:
            continue  # the model already left a gap: keep it
        near = [
            run
            for run in runs
            if abs((run[0] + run[1]) / 2 - edge) <= SNAP_S and run[0] > before["start"] and run[1] < after["end"]
        ]
        if near:
            start, end = min(near, key=lambda run: abs((run[0] + run[1]) / 2 - edge))
            before["end"], after["start"] = start, end


def trim_to_voice(words: List[dict], voiced: np.ndarray) -> None:
    """Moves word edges (`start`/`end`, seconds from the chunk start) out of silence, in place."""
    snap_to_pauses(words, voiced)
    frame_s = FRAME / SAMPLE_RATE
    last = len(voiced) - 1
    for word in words:
        first_frame = min(max(int(word["start"] / frame_s), 0), last)
        end_frame = min(max(int(word["end"] / frame_s), first_frame), last)
        inside = np.flatnonzero(voiced[first_frame : end_frame + 1])
        if len(inside) == 0:
            continue  # no speech inside the word's span at all: keep the model's times
        if not voiced[first_frame]:
            word["start"] = (first_frame + int(inside[0])) * frame_s
        if not voiced[end_frame]:
            word["end"] = (first_frame + int(inside[-1]) + 1) * frame_s
