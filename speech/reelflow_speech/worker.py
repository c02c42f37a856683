"""
`python -m reelflow_speech.worker`: serves `transcribe_audio` on the speech task queue
(`npm run worker:speech`, `reelflow dev` and the demo start it from the project's venv).
"""

import asyncio
import signal
import sys
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from .settings import SettingsError, load_settings
from .transcribe import Transcriber, log


async def main() -> None:
    settings = load_settings()
    transcriber = Transcriber(settings)
    try:
        # Loaded before polling, so the first chunk does not wait for it; a model that cannot load
        # is reported by the activity (the workflow shows that error), not by a worker that is not there.
        await asyncio.to_thread(transcriber.load_model)
    except Exception as err:  # noqa: BLE001
        log(f"warning: {err}")
    client = await Client.connect(settings.address, namespace=settings.namespace)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # One transcription at a time per worker: its chunks already use every core it was given.
    with ThreadPoolExecutor(max_workers=2) as executor:
        worker = Worker(
            client,
            task_queue=settings.task_queue,
            activities=[transcriber.transcribe_audio],
            activity_executor=executor,
            max_concurrent_activities=1,
        )
        async with worker:
            log(
                f"ready: task queue {settings.task_queue!r} on {settings.address}, model {transcriber.model_label}, "
                f"{settings.parallel} chunk(s) at a time"
            )
            await stop.wait()
    log("stopped")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except SettingsError as err:
        print(f"speech worker: invalid configuration: {err}", file=sys.stderr)
        sys.exit(2)

