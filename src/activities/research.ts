/** RESEARCH: learn what the source is and what is said in it. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorType } from '../domain/errors';
import type { Cue, ResearchResult, SourceInfo } from '../domain/reel';
import { MOMENT_MIN_S } from '../domain/reel';
import { parseSubtitles } from '../domain/subtitles';
import type { MediaProbe } from '../media/ffmpeg';
import { extractSubtitleStream } from '../media/subtitles';
import type { ActivityDeps } from './deps';
import { failure } from './failures';
import { probeVideo } from './mediaChecks';
import { SUBTITLE_EXTENSIONS } from './router';
import { writeJsonAtomic } from './workspace';

export function createResearchActivities(_deps: ActivityDeps) {
  return {
    /** RESEARCH: source metadata and the transcript (given, sidecar, or embedded subtitle stream). */
    async research(input: { workspace: string; source: string; transcript?: string }): Promise<ResearchResult> {
      const media = await probeVideo(input.source, 'source video');
      const info: SourceInfo = {
        durationS: media.durationS,
        width: media.video.width,
        height: media.video.height,
        fps: media.video.fps,
        hasAudio: Boolean(media.audio),
        ...(media.tags.title ? { title: media.tags.title } : {}),
      };
      if (info.durationS < MOMENT_MIN_S) {
        throw failure(
          ErrorType.MEDIA_INVALID,
          `source video is ${info.durationS.toFixed(1)} s long; a reel needs at least ${MOMENT_MIN_S} s`,
        );
      }
      const found = await findTranscript(input.source, input.transcript, media, input.workspace);
      if (found.cues.length === 0) {
        throw failure(ErrorType.TRANSCRIPT_MISSING, `the transcript for ${input.source} (${found.origin}) has no cues`);
      }
      const transcriptPath = path.join(input.workspace, 'transcript.json');
      await writeJsonAtomic(transcriptPath, { origin: found.origin, cues: found.cues });
      return { info, transcriptPath, transcriptOrigin: found.origin, cueCount: found.cues.length };
    },
  };
}

async function findTranscript(
  source: string,
  given: string | undefined,
  media: MediaProbe,
  workspace: string,
): Promise<{ origin: ResearchResult['transcriptOrigin']; cues: Cue[] }> {
  if (given) return { origin: 'request', cues: parseSubtitles(await readFile(given, 'utf8')) };
  const base = source.slice(0, source.length - path.extname(source).length);
  for (const ext of SUBTITLE_EXTENSIONS) {
    try {
      return { origin: 'sidecar', cues: parseSubtitles(await readFile(base + ext, 'utf8')) };
    } catch {
      // No sidecar with this extension; try the next.
    }
  }
  const stream = media.subtitleStreams[0];
  if (stream) {
    const extracted = path.join(workspace, 'embedded.srt');
    await extractSubtitleStream(source, stream.index, extracted);
    return { origin: 'embedded', cues: parseSubtitles(await readFile(extracted, 'utf8')) };
  }
  throw failure(
    ErrorType.TRANSCRIPT_MISSING,
    `no transcript for ${source}: pass one with --transcript (or "transcript" in the request), ` +
      `or put ${path.basename(base)}.srt or .vtt next to the video`,
  );
}
