/**
 * Run as its own Node process by test/unit/processes.test.ts: starts two long ffmpeg encodes the
 * ways the worker does (fluent-ffmpeg through src/media/ffmpeg.ts, and spawnBound as audio features
 * do), prints "started" once both run, then waits to be killed.
 */
import { ffmpeg, run } from '../../src/media/ffmpeg';
import { ffmpegBinary, spawnBound } from '../../src/media/processes';

// A test source played at real speed (-re) for ten minutes: it outlives any test that kills us.
const endless = ['-re', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5:duration=600'];

const command = ffmpeg()
  .input('testsrc=size=64x64:rate=5:duration=600')
  .inputOptions(['-re', '-f', 'lavfi'])
  .outputOptions(['-f', 'null'])
  .output('-');
let fluentStarted = false;
command.on('start', () => {
  fluentStarted = true;
});
void run(command).catch(() => undefined);
const direct = spawnBound(ffmpegBinary(), ['-nostdin', '-v', 'error', ...endless, '-f', 'null', '-']);
direct.on('spawn', () => {
  const timer = setInterval(() => {
    if (!fluentStarted) return;
    clearInterval(timer);
    process.stdout.write('started\n');
  }, 50);
});
setInterval(() => undefined, 60_000);
