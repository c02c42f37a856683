/**
 * The offline text model: no key, no network, deterministic. Instructions are read by documented
 * rules (offlineInstructions.ts), copy comes from templates (offlineCopy.ts), moments keep the
 * heuristic's order, and transcription is refused with a way forward.
 *
 * The offline storyboard: a deterministic plan derived from the prompt, so the same prompt always
 * gives the same scenes. Scene count: as asked, else one scene per ten words of prompt (2 to 6).
 */
import { createHash } from 'node:crypto';
import { defaultSceneCount } from '../../domain/cost';
import type { Scene, Storyboard, VideoRequest } from '../../domain/video';
import { keywords } from '../offlineCopy';
import type { ParsedDirectives } from '../../domain/directives';
import { ErrorType } from '../../domain/errors';
import type { MomentCandidate, MomentRanking } from '../../domain/moment';
import type { Cue, Moment, PublishingAssets } from '../../domain/reel';
import { ProviderError } from '../errors';
import { offlinePublishingAssets } from '../offlineCopy';
import { parseInstructionsOffline } from './offlineInstructions';
import type { CopyRequest, TextModel } from './types';

export const OFFLINE_STORYBOARD_GENERATOR = 'reelflow-offline-storyboard';
/** The offline text model: documented rules and templates, no network (src/providers/text/offline*.ts). */
export const OFFLINE_TEXT_MODEL = 'reelflow-offline-text';

const BEATS = ['opening', 'build-up', 'turn', 'climax', 'resolution'];
const MOVES = [
  'slow push in',
  'gentle pan left to right',
  'rising crane shot',
  'slow orbit around the subject',
  'pull back to reveal',
];

export function offlineStoryboard(request: VideoRequest): Storyboard {
  const count = request.sceneCount ?? defaultSceneCount(request.prompt);
  const subject = keywords(request.prompt, 4).join(', ') || request.prompt.slice(0, 60);
  const hash = createHash('sha256').update(request.prompt).digest('hex');
  const palette = [0, 6, 12].map((offset) => `#${hash.slice(offset, offset + 6)}`);
  const scenes: Scene[] = Array.from({ length: count }, (_, i) => {
    const beat = BEATS[Math.min(BEATS.length - 1, Math.floor((i / Math.max(1, count)) * BEATS.length))]!;
    return {
      index: i + 1,
      start_frame_prompt: `${request.style}, ${beat}: ${subject} (scene ${i + 1} of ${count}, first frame)`,
      end_frame_prompt: `${request.style}, ${beat}: ${subject} (scene ${i + 1} of ${count}, last frame)`,
      motion_prompt: `${MOVES[i % MOVES.length]}; ${request.prompt}`,
      transition: request.crossfadeS > 0 ? 'crossfade' : 'cut',
    };
  });
  return { generator: OFFLINE_STORYBOARD_GENERATOR, style_guide: { look: request.style, palette }, scenes };
}

/** The offline text model; `calls` lets tests see whether it was asked again. */
export class OfflineTextModel implements TextModel {
  readonly name = OFFLINE_TEXT_MODEL;
  readonly transcribes = false;
  calls = 0;

  storyboard(request: VideoRequest): Promise<Storyboard> {
    this.calls += 1;
    return Promise.resolve(offlineStoryboard(request));
  }

  parseInstructions(instructions: string): Promise<ParsedDirectives> {
    this.calls += 1;
    return Promise.resolve(parseInstructionsOffline(instructions));
  }

  /** The heuristic's own order: its top-scoring window. */
  rankMoments(candidates: MomentCandidate[]): Promise<MomentRanking> {
    this.calls += 1;
    if (candidates.length === 0) return Promise.reject(new Error('no candidates to rank'));
    return Promise.resolve({ index: 0, reason: 'offline: the heuristic score decides' });
  }

  publishingAssets(moment: Moment, request: CopyRequest): Promise<PublishingAssets> {
    this.calls += 1;
    return Promise.resolve(offlinePublishingAssets(moment, request));
  }

  transcribe(): Promise<Cue[]> {
    return Promise.reject(
      new ProviderError(
        ErrorType.TRANSCRIPT_MISSING,
        'the offline text provider cannot transcribe audio: provide an .srt/.vtt transcript, or set GEMINI_API_KEY to transcribe with Gemini',
      ),
    );
  }
}
