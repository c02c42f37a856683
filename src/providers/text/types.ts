import type { ParsedDirectives } from '../../domain/directives';
import type { EpisodeRanking, MomentCandidate, MomentRanking } from '../../domain/moment';
import type { Cue, Moment, PublishingAssets } from '../../domain/reel';
import type { Storyboard, VideoRequest } from '../../domain/video';

/** What CONTENT asks for: how many B-roll prompts, and the run's topic and narrative override. */
export interface CopyRequest {
  maxPrompts: number;
  topic?: string;
  narrative?: { tone?: string; pacing?: 'slow' | 'medium' | 'fast' };
  /** The QA gate's feedback on the previous attempt (empty on the first). */
  feedback: string[];
}

/**
 * Text generation that the pipeline needs. Every method either returns an answer that passed its
 * zod schema or throws a ProviderError (MODEL_OUTPUT_INVALID, CONTENT_BLOCKED, TRANSCRIPT_MISSING).
 */
export interface TextModel {
  readonly name: string;
  storyboard(request: VideoRequest): Promise<Storyboard>;
  /** ROUTER: free-form instructions → directives. */
  parseInstructions(instructions: string, feedback: string[]): Promise<ParsedDirectives>;
  /** TRANSCRIPT: which of the heuristic's best candidates makes the best reel. */
  rankMoments(candidates: MomentCandidate[], context: { topic?: string; feedback: string[] }): Promise<MomentRanking>;
  /** TRANSCRIPT for an episode: rank the best `count` distinct candidates with score, hook and reason (absent: the heuristic's). */
  rankEpisode?(
    candidates: MomentCandidate[],
    context: { count: number; topic?: string; feedback: string[] },
  ): Promise<EpisodeRanking>;
  /** CONTENT: descriptions, hashtags, music mood and B-roll prompts for the moment. */
  publishingAssets(moment: Moment, request: CopyRequest): Promise<PublishingAssets>;
  /** Whether `transcribe` can work (the offline model cannot), so nothing is extracted for nothing. */
  readonly transcribes: boolean;
  /** RESEARCH: timed cues for a source with no subtitles (audio file in the workspace). */
  transcribe(audioPath: string): Promise<Cue[]>;
}
