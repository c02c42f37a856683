"""
`python -m reelflow_speech.bench <audio> <out_dir>`: the activity's own code on one file, outside
Temporal (bench/speech.ts runs it). Prints one JSON line: seconds of audio, load and total time,
the time to the first finished chunk, and the peak RSS of this process (the worker's footprint).
"""

import json
import resource
import sys
import time

from temporalio.testing import ActivityEnvironment

from .settings import load_settings
from .transcribe import Transcriber


def main() -> None:
    audio, out_dir = sys.argv[1], sys.argv[2]
    transcriber = Transcriber(load_settings())
    started = time.monotonic()
    transcriber.load_model()
    loaded = time.monotonic()
    first_chunk = []

    def on_heartbeat(*details) -> None:
        if not first_chunk and details and details[0].get("chunksDone", 0) >= 1:
            first_chunk.append(time.monotonic() - loaded)

    env = ActivityEnvironment()
    env.on_heartbeat = on_heartbeat
    result = env.run(transcriber.transcribe_audio, {"audioPath": audio, "outDir": out_dir})
    done = time.monotonic()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "audioSeconds": result["durationS"],
                "chunks": result["chunks"],
                "words": result["wordCount"],
                "model": result["model"],
                "loadS": round(loaded - started, 2),
                "transcribeS": round(done - loaded, 2),
                "firstChunkS": round(first_chunk[0], 2) if first_chunk else None,
                # CPU seconds of the whole process: what the work costs whatever else the machine runs.
                "cpuS": round(usage.ru_utime + usage.ru_stime, 1),
                # Linux reports ru_maxrss in KiB.
                "peakRssMiB": round(usage.ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
