"""
Where to cut long audio: near every `chunk_s` seconds, at the quietest stretch within a quarter
of a chunk of that point, so a cut falls in a pause between words rather than inside one.
Pure numpy on 16 kHz mono samples; the same audio and settings always give the same plan.
"""

from typing import List, Tuple

import numpy as np

SAMPLE_RATE = 16000
FRAME = 320  # 20 ms
SMOOTH_FRAMES = 10  # judge quietness over 200 ms, not a single frame


def plan_chunks(samples: np.ndarray, chunk_s: float) -> List[Tuple[float, float]]:
    """[(start_s, end_s), ...] covering the whole audio, in order."""
    duration = len(samples) / SAMPLE_RATE
    if duration <= chunk_s * 1.25:
        return [(0.0, duration)]
    frames = len(samples) // FRAME
    energy = np.square(samples[: frames * FRAME].astype(np.float32)).reshape(frames, FRAME).mean(axis=1)
    smooth = np.convolve(energy, np.ones(SMOOTH_FRAMES) / SMOOTH_FRAMES, mode="same")
    frame_s = FRAME / SAMPLE_RATE
    cuts = [0.0]
    while duration - cuts[-1] > chunk_s * 1.25:
        target = cuts[-1] + chunk_s
        lo = int((target - chunk_s / 4) / frame_s)
        hi = min(int((target + chunk_s / 4) / frame_s), frames - 1)
        window = smooth[lo:hi]
        # Among the quietest frames (digital silence is often many equal zeros), the one nearest
        # the target, so chunks stay close to chunk_s long.
        quiet = np.flatnonzero(window <= window.min() * 1.05 + 1e-9)
        nearest = int(quiet[np.argmin(np.abs(quiet + lo - target / frame_s))])
        # Then the middle of the quiet run it belongs to: cut in the pause, clear of both words.
        first, last = nearest, nearest
        while first > 0 and window[first - 1] <= window[nearest] * 1.05 + 1e-9:
            first -= 1
        while last + 1 < len(window) and window[last + 1] <= window[nearest] * 1.05 + 1e-9:
            last += 1
        cuts.append(round((lo + (first + last) // 2) * frame_s, 3))
    cuts.append(duration)
    return list(zip(cuts[:-1], cuts[1:]))
