/** ROUTER and RESEARCH: check what the request names, then learn what the source is and what is said in it. */
import { access, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorType } from '../domain/errors';
import type { Cue, ReelRequest, ResearchResult, RouterResult, SourceInfo } from '../domain/reel';
import { MOMENT_MIN_S } from '../domain/reel';
import { parseSubtitles } from '../domain/subtitles';
import type { MediaProbe } from '../media/ffmpeg';
import { probe } from '../media/ffmpeg';
import { extractSubtitleStream } from '../media/subtitles';
import type { ActivityDeps } from './deps';
import { failure } from './failures';
import { workspaceDir, writeJsonAtomic } from './workspace';

const SUBTITLE_EXTENSIONS = ['.srt', '.vtt'];

async function requireFile(file: string, role: string): Promise<void> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    await access(file);
  } catch {
    throw failure(ErrorType.MEDIA_NOT_FOUND, `${role} not found or not readable: ${file}`);
  }
}

async function probeVideo(
  file: string,
  role: string,
): Promise<MediaProbe & { video: NonNullable<MediaProbe['video']> }> {
  let info: MediaProbe;
  try {
    info = await probe(file);
  } catch (err) {
    throw failure(ErrorType.MEDIA_INVALID, `${role} is not readable media: ${file} (${(err as Error).message})`);
  }
  if (!info.video) throw failure(ErrorType.MEDIA_INVALID, `${role} has no video stream: ${file}`);
  return { ...info, video: info.video };
}

export function createSourceActivities({ config }: ActivityDeps) {
  return {
    /** ROUTER: fail fast on anything the request names that is missing, before minutes of work. */
    async router(input: { workflowId: string; request: ReelRequest }): Promise<RouterResult> {
      const { request } = input;
      const workspace = workspaceDir(config.runsDir, input.workflowId);
      if (/^https?:\/\//i.test(request.source)) {
        throw failure(
          ErrorType.INVALID_REQUEST,
          `source: URL sources are not supported yet; download the file and pass its path (${request.source})`,
        );
      }
      const source = path.resolve(request.source);
      await requireFile(source, 'source video');
      await probeVideo(source, 'source video');
      let transcript: string | undefined;
      if (request.transcript) {
        transcript = path.resolve(request.transcript);
        if (!SUBTITLE_EXTENSIONS.includes(path.extname(transcript).toLowerCase())) {
          throw failure(ErrorType.INVALID_REQUEST, `transcript: must be an .srt or .vtt file (${transcript})`);
        }
        await requireFile(transcript, 'transcript');
      }
      await mkdir(workspace, { recursive: true });
      await writeJsonAtomic(path.join(workspace, 'request.json'), request);
      const broll = {
        clipCount: config.veo3.clipCount,
        timeoutS: config.veo3.timeoutS,
        aspectRatio: '9:16' as const,
        pollInitialS: config.veo3.pollInitialS,
        pollMaxS: config.veo3.pollMaxS,
      };
      return { workspace, source, ...(transcript ? { transcript } : {}), broll };
    },

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
