/** ROUTER: check what the request names, before minutes of work. */
import { estimateReelRun } from '../pricing/estimate';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ErrorType } from '../domain/errors';
import type { Directives, UserMedia } from '../domain/directives';
import { EMPTY_DIRECTIVES, ParsedDirectivesSchema } from '../domain/directives';
import { describeIssues } from '../domain/validation';
import { artifactName } from '../domain/qa';
import type { ReworkRequest } from '../domain/qa';
import type { ReelRequest, RouterResult } from '../domain/reel';
import { checkRemoteSource, isRemoteSource, SourceError } from '../media/fetchSource';
import { ProviderError } from '../providers/errors';
import { parseInstructionsOffline } from '../providers/text/offlineInstructions';
import { OFFLINE_TEXT_MODEL } from '../providers/text/offlineText';
import type { TextModel } from '../providers/text/types';
import type { ActivityDeps } from './deps';
import { failure } from './failures';
import { probeVideo, requireDecodable, requireFile, requireLongEnough } from './mediaChecks';
import { workspaceDir, writeJsonAtomic } from './workspace';

export const SUBTITLE_EXTENSIONS = ['.srt', '.vtt'];
/** ffprobe codec names of still images (an image has no duration either). */
const IMAGE_CODECS = ['png', 'mjpeg', 'webp', 'bmp', 'gif'];
const MIN_CUTAWAY_S = 0.5;

export function createRouterActivities({ config, providers }: ActivityDeps) {
  return {
    /** ROUTER: fail fast on anything the request names that is missing, before minutes of work. */
    async router(
      input: {
        workflowId: string;
        request: ReelRequest;
        /** An episode's clip count, for its estimate (a reel: 1). */
        reels?: number;
      } & Partial<ReworkRequest>,
    ): Promise<RouterResult> {
      const { request } = input;
      const workspace = workspaceDir(config.runsDir, input.workflowId);
      const remote = isRemoteSource(request.source);
      let source: string;
      if (remote) {
        // RESEARCH downloads it; here only what can be known in seconds (the URL, yt-dlp, a 404).
        source = request.source;
        try {
          await checkRemoteSource(source, { maxBytes: config.source.maxBytes });
        } catch (err) {
          if (err instanceof SourceError && err.type) throw failure(err.type, `source: ${err.message}`);
          throw err;
        }
      } else {
        source = path.resolve(request.source);
        await requireFile(source, 'source video');
        requireLongEnough((await probeVideo(source, 'source video')).durationS);
      }
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
      const rework = { attempt: input.attempt ?? 1, feedback: input.feedback ?? [] };
      const { directives, notes } = await readDirectives(request, providers?.text, source, rework.feedback);
      const directivesPath = path.join(workspace, artifactName('directives.json', rework.attempt));
      await writeJsonAtomic(directivesPath, directives);
      // The one place a run's clip count is decided: the request's, else the worker's setting.
      const broll = {
        clipCount: request.clips ?? config.veo3.clipCount,
        timeoutS: config.veo3.timeoutS,
        aspectRatio: '9:16' as const,
        pollInitialS: config.veo3.pollInitialS,
        pollMaxS: config.veo3.pollMaxS,
      };
      // The estimate as this worker will run it (its clip count, models and prices), kept with the run.
      const estimate = estimateReelRun(config, request, directives.narrative?.pacing, input.reels);
      await writeJsonAtomic(path.join(workspace, 'estimate.json'), estimate);
      return {
        workspace,
        source,
        ...(transcript ? { transcript } : {}),
        broll,
        estimate,
        directives,
        directivesPath,
        ...(notes.length ? { notes } : {}),
      };
    },
  };
}

/**
 * The request's instructions as directives, with every media file resolved and checked. A model's
 * malformed answer falls back to the offline parser (noted, so the QA gate asks again); a file the
 * instructions name that is missing or of the wrong kind fails the run at once, naming the file.
 */
async function readDirectives(
  request: ReelRequest,
  model: TextModel | undefined,
  source: string,
  feedback: string[],
): Promise<{ directives: Directives; notes: string[] }> {
  const instructions = request.instructions?.trim() ?? '';
  const notes: string[] = [];
  let parsed = EMPTY_DIRECTIVES;
  let generator = OFFLINE_TEXT_MODEL;
  if (instructions) {
    try {
      parsed = model ? await model.parseInstructions(instructions, feedback) : parseInstructionsOffline(instructions);
      generator = model?.name ?? generator;
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      if (err.type !== ErrorType.MODEL_OUTPUT_INVALID) throw failure(err.type, err.message);
      notes.push(`the model's answer was malformed (${err.message}); used the offline parser`);
      parsed = parseInstructionsOffline(instructions);
    }
  }
  // Later stages trust these numbers; anything outside the schema is the request's to fix.
  const checked = ParsedDirectivesSchema.safeParse(parsed);
  if (!checked.success) throw failure(ErrorType.INVALID_REQUEST, `instructions: ${describeIssues(checked.error)}`);
  // A model may name files the user never wrote: only files quoted from the instructions count.
  const named = (media: UserMedia) => {
    if (instructions.includes(media.path)) return true;
    notes.push(`${media.path} does not appear in the instructions; dropped`);
    return false;
  };
  const overlays = parsed.overlays.filter(named);
  const cutaways = parsed.cutaways.filter(named);
  const places = isRemoteSource(source) ? [process.cwd()] : [process.cwd(), path.dirname(source)];
  const directives: Directives = {
    ...parsed,
    generator,
    overlays: await Promise.all(overlays.map((m) => checkUserMedia(m, 'overlay image', places))),
    cutaways: await Promise.all(cutaways.map((m) => checkUserMedia(m, 'cutaway clip', places))),
    // The request's own fields are explicit, so they win over what the instructions say.
    ...(request.topic ? { topic: request.topic } : {}),
    ...(request.durationS ? { durationS: request.durationS } : {}),
  };
  return { directives, notes };
}

/** Resolves a user's file (relative to the worker's folder, then the source's) and checks its kind. */
async function checkUserMedia(media: UserMedia, role: 'overlay image' | 'cutaway clip', places: string[]) {
  const candidates = path.isAbsolute(media.path) ? [media.path] : places.map((dir) => path.resolve(dir, media.path));
  const found = await firstReadable(candidates);
  if (!found) {
    throw failure(
      ErrorType.MEDIA_NOT_FOUND,
      `instructions: ${role} not found or not readable: ${media.path} (looked in ${candidates.join(', ')})`,
    );
  }
  const info = await probeVideo(found, `instructions: ${role}`);
  await requireDecodable(found, `instructions: ${role}`);
  const isImage = IMAGE_CODECS.includes(info.video.codec);
  if (role === 'overlay image' && !isImage) {
    throw failure(ErrorType.MEDIA_INVALID, `instructions: overlay must be an image (png, jpg, webp): ${found}`);
  }
  if (role === 'cutaway clip' && (isImage || info.durationS < MIN_CUTAWAY_S)) {
    throw failure(
      ErrorType.MEDIA_INVALID,
      `instructions: cutaway must be a video of at least ${MIN_CUTAWAY_S} s: ${found} (${info.durationS.toFixed(2)} s)`,
    );
  }
  return { ...media, path: found };
}

async function firstReadable(files: string[]): Promise<string | undefined> {
  for (const file of files) {
    try {
      await requireFile(file, 'file');
      return file;
    } catch {
      // Not here; try the next place.
    }
  }
  return undefined;
}
