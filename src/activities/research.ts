/** RESEARCH: fetch the source if it is a URL, learn what it is, and what is said in it. */
import type { Context as ActivityContext } from '@temporalio/activity';
import { Context } from '@temporalio/activity';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorType } from '../domain/errors';
import type { ReworkRequest } from '../domain/qa';
import { artifactName } from '../domain/qa';
import type { Cue, ResearchResult, SourceInfo } from '../domain/reel';
import { parseSubtitles, SubtitleSyntaxError } from '../domain/subtitles';
import type { DownloadedSource } from '../media/fetchSource';
import { downloadSource, isRemoteSource, SourceError } from '../media/fetchSource';
import type { MediaProbe } from '../media/ffmpeg';
import { extractSpeechAudio } from '../media/speechAudio';
import { extractSubtitleStream } from '../media/subtitles';
import { ProviderError } from '../providers/errors';
import type { ActivityDeps } from './deps';
import { failure } from './failures';
import { probeVideo, requireLongEnough } from './mediaChecks';
import { SUBTITLE_EXTENSIONS } from './router';
import { keepAlive } from './heartbeat';
import type { Transcriber, SpeechJob } from '../domain/speech';
import { prepareSpeechJob } from './speech';
import { writeJsonAtomic } from './workspace';

export function createResearchActivities(deps: ActivityDeps) {
  const { config, providers } = deps;
  /** Downloads a URL source into `<workspace>/source/`; a finished download from an earlier attempt is reused. */
  async function fetchSource(ctx: ActivityContext, url: string, workspace: string): Promise<DownloadedSource> {
    try {
      return await downloadSource(url, path.join(workspace, 'source'), {
        maxBytes: config.source.maxBytes,
        timeoutMs: config.source.downloadTimeoutS * 1000,
        signal: ctx.cancellationSignal,
        // Heartbeats follow the bytes: a download that stalls stops heartbeating, and Temporal retries it.
        onProgress: (progress) => ctx.heartbeat({ phase: 'download', ...progress }),
      });
    } catch (err) {
      // A typed SourceError cannot pass by retrying; an untyped one (timeout, 5xx) may.
      if (err instanceof SourceError && err.type) throw failure(err.type, err.message);
      throw err;
    }
  }

  /** The text model transcribes the source's audio (extracted small into the workspace first). */
  async function transcribe(
    ctx: ActivityContext,
    source: string,
    media: MediaProbe,
    workspace: string,
    attempt: number,
  ): Promise<Cue[]> {
    const howTo = provideTranscriptHint(source);
    if (!providers) {
      throw failure(
        ErrorType.TRANSCRIPT_MISSING,
        `no transcript for ${source} and no text model to transcribe it: ${howTo}`,
      );
    }
    const model = providers.text;
    if (!model.transcribes) {
      // Said before any audio is extracted: an hour of audio is minutes of work for nothing.
      throw failure(
        ErrorType.TRANSCRIPT_MISSING,
        `no transcript for ${source}, and ${model.name} cannot transcribe audio (set GEMINI_API_KEY to transcribe with Gemini): ${howTo}`,
      );
    }
    if (!media.audio) {
      throw failure(
        ErrorType.TRANSCRIPT_MISSING,
        `no transcript for ${source}, and it has no audio to transcribe: ${howTo}`,
      );
    }
    // A QA rework asks the model again: its own folder, so the saved chunk answers are not reused.
    const folder = path.join(workspace, 'transcription', ...(attempt > 1 ? [`attempt-${attempt}`] : []));
    const audio = await extractSpeechAudio(source, path.join(folder, 'audio.mp3'), {
      expectedDurationS: media.durationS,
      onProgress: (fraction) => ctx.heartbeat({ phase: 'audio', fraction: Math.round(fraction * 100) / 100 }),
      signal: ctx.cancellationSignal,
    });
    try {
      return await keepAlive(ctx, { phase: 'transcribing', model: model.name }, () => model.transcribe(audio));
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      if (err.type === ErrorType.TRANSCRIPT_MISSING) {
        throw failure(ErrorType.TRANSCRIPT_MISSING, `no transcript for ${source}: ${err.message}. Or ${howTo}`);
      }
      throw failure(err.type, `transcribing ${source} with ${model.name}: ${err.message}`);
    }
  }

  async function findTranscript(
    ctx: ActivityContext,
    source: string,
    given: string | undefined,
    media: MediaProbe,
    workspace: string,
    attempt: number,
    speech: { canCall: boolean; transcribe?: Transcriber },
  ): Promise<{ origin: ResearchResult['transcriptOrigin']; cues: Cue[]; speechJob?: SpeechJob }> {
    if (given) return { origin: 'request', cues: await readSubtitleFile(given, given) };
    const choice = speech.transcribe ?? config.speech.transcribe;
    // Subtitles keep priority unless local speech-to-text is asked for by name.
    const subtitles = choice === 'local' && speech.canCall ? undefined : await findSubtitles(source, media, workspace);
    if (subtitles) return subtitles;
    const transcriber = choice ?? (providers?.text.transcribes ? 'gemini' : 'local');
    if (transcriber === 'local' && speech.canCall) {
      const speechJob = await prepareSpeechJob(ctx, deps, source, media, workspace);
      return { origin: 'speech', cues: [], speechJob };
    }
    return { origin: 'transcribed', cues: await transcribe(ctx, source, media, workspace, attempt) };
  }

  async function findSubtitles(
    source: string,
    media: MediaProbe,
    workspace: string,
  ): Promise<{ origin: ResearchResult['transcriptOrigin']; cues: Cue[] } | undefined> {
    const base = source.slice(0, source.length - path.extname(source).length);
    for (const ext of SUBTITLE_EXTENSIONS) {
      const sidecar = base + ext;
      if (await isFile(sidecar)) return { origin: 'sidecar', cues: await readSubtitleFile(sidecar, sidecar) };
    }
    const stream = media.subtitleStreams[0];
    if (stream) {
      const extracted = path.join(workspace, 'embedded.srt');
      await extractSubtitleStream(source, stream.index, extracted);
      const name = `the subtitle stream #${stream.index} of ${source}`;
      return { origin: 'embedded', cues: await readSubtitleFile(extracted, name) };
    }
    return undefined;
  }

  return {
    /**
     * RESEARCH: a URL source is downloaded first (yt-dlp for YouTube); then source metadata and the
     * transcript: given, sidecar, embedded subtitle stream, or else transcribed from the audio.
     */
    async research(
      input: {
        workspace: string;
        source: string;
        transcript?: string;
        /** The request's choice of transcriber (default: the TRANSCRIBE setting, then the text provider). */
        transcribe?: Transcriber;
        /** The workflow can call the speech worker (runs recorded before it existed cannot). */
        speech?: boolean;
      } & Partial<ReworkRequest>,
    ): Promise<ResearchResult> {
      const ctx = Context.current();
      const download = isRemoteSource(input.source) ? await fetchSource(ctx, input.source, input.workspace) : undefined;
      const source = download?.path ?? input.source;
      const media = await probeVideo(source, 'source video');
      // yt-dlp's title names the video; a plain download's file may carry one in its tags.
      const title = download?.title ?? media.tags.title;
      const info: SourceInfo = {
        durationS: media.durationS,
        width: media.video.width,
        height: media.video.height,
        fps: media.video.fps,
        hasAudio: Boolean(media.audio),
        ...(title ? { title } : {}),
        ...(media.tags.creation_time ? { createdAt: media.tags.creation_time } : {}),
      };
      requireLongEnough(info.durationS);
      const found = await findTranscript(ctx, source, input.transcript, media, input.workspace, input.attempt ?? 1, {
        canCall: input.speech ?? false,
        ...(input.transcribe ? { transcribe: input.transcribe } : {}),
      });
      // A transcript the speech worker will make is written later, by `speechTranscript`.
      const transcriptPath = path.join(input.workspace, artifactName('transcript.json', input.attempt ?? 1));
      if (found.speechJob) {
        return {
          info,
          transcriptPath,
          transcriptOrigin: found.origin,
          cueCount: 0,
          sourcePath: source,
          speechJob: found.speechJob,
        };
      }
      if (found.cues.length === 0) {
        throw failure(ErrorType.TRANSCRIPT_MISSING, `the transcript for ${source} (${found.origin}) has no cues`);
      }
      // A QA rework writes its own file, so the gate can still keep an earlier attempt's transcript.
      await writeJsonAtomic(transcriptPath, { origin: found.origin, cues: found.cues });
      return {
        info,
        transcriptPath,
        transcriptOrigin: found.origin,
        cueCount: found.cues.length,
        sourcePath: source,
      };
    },
  };
}

/** Reads an SRT/WebVTT file; a file that is not one fails the run at once, naming it and the line. */
async function readSubtitleFile(file: string, name: string): Promise<Cue[]> {
  try {
    return parseSubtitles(await readFile(file, 'utf8'));
  } catch (err) {
    if (err instanceof SubtitleSyntaxError)
      throw failure(ErrorType.TRANSCRIPT_INVALID, `${name}: ${err.message} (expected SRT or WebVTT)`);
    throw failure(ErrorType.TRANSCRIPT_INVALID, `${name}: cannot be read: ${(err as Error).message}`);
  }
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

function provideTranscriptHint(source: string): string {
  const base = path.basename(source, path.extname(source));
  return (
    `pass a transcript with --transcript (or "transcript" in the request), ` +
    `or put ${base}.srt or .vtt next to the video (${path.dirname(source)})`
  );
}
