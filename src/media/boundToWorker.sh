#!/bin/sh
# Runs ffmpeg (FFMPEG_PATH, else ffmpeg from PATH) so that the kernel kills it when the thread that
# started it dies: a SIGKILLed or OOM-killed worker must not leave an orphan encoding onto the paths
# its retried activity then writes. exec keeps the pid, so killing this process kills ffmpeg.
# See src/media/processes.ts.
exec setpriv --pdeathsig KILL -- "${FFMPEG_PATH:-ffmpeg}" "$@"
