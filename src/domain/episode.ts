/**
 * Episodes: one source analysed once, its N best distinct moments, one clip (a child workflow) per
 * moment. The request, the ranked table and how people read it (index.md, status) live here so the
 * workflow, the CLI, the API and the studio agree.
 */
import { z } from 'zod';
import type { BrollJob, BrollSettings } from './broll';
import type { RunCost } from './cost';
import type { Directives } from './directives';
import type { ReelRequest } from './reel';
import { ReelRequestSchema } from './reel';
import type { RenderOptions } from './render';
import type { HostQueues } from './hosts';

export const EPISODE_MAX_CLIPS = 10;
export const DEFAULT_EPISODE_CLIPS = 3;

/**
 * Input of the `episodeClips` workflow: a reel request plus how many clips. Plain JSON, so an
 * episode starts from the Temporal UI or `temporal workflow start --input '{...}'`.
 */
export const EpisodeRequestSchema = z
  .object({
    ...ReelRequestSchema.shape,
    /** How many clips (distinct moments), 1–10. */
    count: z.number().int().min(1).max(EPISODE_MAX_CLIPS).default(DEFAULT_EPISODE_CLIPS),
  })
  .strict();
export type EpisodeRequest = z.input<typeof EpisodeRequestSchema>;
export type ParsedEpisodeRequest = z.output<typeof EpisodeRequestSchema>;

/** The reel request each stage of the episode sees (ROUTER takes a reel request). */
export function reelRequestOf(episode: ParsedEpisodeRequest): ReelRequest {
  const { count: _count, ...reel } = episode;
  return reel;
}

/** The render options of a request, only those given (the renderer applies its defaults). */
export function renderOptionsOf(request: RenderOptions): RenderOptions {
  return {
    ...(request.captions !== undefined ? { captions: request.captions } : {}),
    ...(request.aspect !== undefined ? { aspect: request.aspect } : {}),
    ...(request.hook !== undefined ? { hook: request.hook } : {}),
  };
}

/** One of the episode's moments, as TRANSCRIPT proposes it (rank 1 is the best). */
export interface EpisodeMoment {
  rank: number;
  /** 0–100. */
  score: number;
  hook: string;
  reason: string;
  startS: number;
  endS: number;
  /** The moment's own moment.json (in the episode's workspace). */
  momentPath: string;
}

export interface EpisodeMomentsResult {
  /** moments.json: every moment with its cues, breakdown, hook and reason. */
  momentsPath: string;
  /** Fewer than asked when the source holds fewer distinct moments of the allowed length. */
  moments: EpisodeMoment[];
  /** What the QA gate should know (e.g. the ranking model's answer was malformed and the heuristic's kept). */
  notes?: string[];
}

/**
 * Where a clip is: rendering, delivered, waiting for `resume` (a stage failed; the clip's own
 * workflow is open), or failed (its workflow closed, e.g. a bad input).
 */
export type ClipStatus = 'pending' | 'running' | 'delivered' | 'waiting' | 'failed';

/** A row of the ranked table. */
export interface EpisodeClip extends Omit<EpisodeMoment, 'momentPath'> {
  /** The clip's own workflow (`<episode id>-clip<rank>`): status, watch and resume take this id. */
  workflowId: string;
  status: ClipStatus;
  /** The clip's stage now (or the one that failed). */
  stage?: string;
  /** Reel length in seconds, once delivered. */
  durationS?: number;
  reelPath?: string;
  /** Paid work the clip has used so far (USD). */
  costUsd?: number;
  error?: string;
}

/** The child workflow's input: plain JSON, paths and numbers. */
export interface ClipRequest {
  episodeId: string;
  rank: number;
  /** The local source file (RESEARCH's result). */
  source: string;
  /** The moment chosen for this clip (copied into the clip's workspace as moment.json). */
  momentPath: string;
  startS: number;
  endS: number;
  topic?: string;
  /** The episode's directives file (read only: the user's cutaways and overlays). */
  directivesPath?: string;
  /** What ROUTER understood that shapes each clip (narrative pacing, transitions). */
  directives?: Pick<Directives, 'narrative' | 'transition'>;
  /** B-roll settings ROUTER decided for the episode. */
  broll: BrollSettings;
  maxCostUsd?: number;
  render: RenderOptions;
  /** The host holding the episode's files (the source, the moments): the clip works there too. */
  host?: HostQueues;
  /**
   * The clip ends with a host_lost failure when its host is lost, so the episode can start it again
   * on another host (src/workflows/episode.ts); absent in runs recorded before episodes moved.
   */
  movesWithEpisode?: boolean;
  /** The B-roll jobs this clip's earlier run started on a lost host: taken over, never submitted again. */
  brollAdopted?: BrollJob[];
  /** Why this clip gets no B-roll (its earlier run started B-roll on a lost host and reported nothing). */
  brollDropped?: string;
}

/** Child → parent: the clip's status changed. */
export interface ClipProgress {
  rank: number;
  stage: string;
  awaitingResume: boolean;
  error?: string;
  costUsd?: number;
}

export const clipWorkflowId = (episodeId: string, rank: number) => `${episodeId}-clip${rank}`;

/** A clip's folder inside its episode's output folder: `output/<episode id>/clip-<rank>/`. */
export const clipFolderName = (rank: number) => `clip-${rank}`;

/** What a delivered clip records beside its reel (clip.json), so the episode's index can show it whenever it is written. */
export interface ClipDelivery {
  rank: number;
  workflowId: string;
  reelPath: string;
  durationS: number;
  costUsd?: number;
}

/**
 * The ranked table as the episode knew it, with the deliveries found on disk laid over it: a clip
 * resumed after its episode closed delivers later, and its row must say so from then on.
 */
export function withDeliveries(clips: EpisodeClip[], deliveries: ClipDelivery[]): EpisodeClip[] {
  return clips.map((clip) => {
    const delivery = deliveries.find((d) => d.rank === clip.rank && d.workflowId === clip.workflowId);
    if (!delivery) return clip;
    const { error: _error, ...rest } = clip;
    return {
      ...rest,
      status: 'delivered',
      stage: 'COMPLETED',
      reelPath: delivery.reelPath,
      durationS: delivery.durationS,
      ...(delivery.costUsd !== undefined ? { costUsd: delivery.costUsd } : {}),
    };
  });
}

/** What the episode returns. */
export interface EpisodeResult {
  workflowId: string;
  indexPath: string;
  indexJsonPath: string;
  clips: EpisodeClip[];
  /** Clips waiting for `resume`, with the command that resumes each. */
  waiting: { workflowId: string; command: string }[];
}

/** The command that resumes a waiting clip (the clip's own workflow, not the episode). */
export const resumeCommand = (clipWorkflowId: string) => `reelflow resume ${clipWorkflowId}`;

/** A clip's cost in dollars from its run cost. */
export const costOf = (cost?: RunCost): number | undefined => (cost ? cost.actualUsd : undefined);

const time = (s: number) => {
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, '0')}`;
};
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

/** The ranked table as Markdown (index.md, `reelflow status`). */
export function formatClipTable(clips: EpisodeClip[]): string {
  const rows = [
    '| rank | score | hook | reason | time | duration | path | cost | status |',
    '|---:|---:|---|---|---|---:|---|---:|---|',
  ];
  for (const clip of clips) {
    const status =
      clip.status === 'waiting'
        ? `waiting for resume at ${clip.stage ?? '?'}: \`${resumeCommand(clip.workflowId)}\``
        : clip.status === 'failed'
          ? `failed${clip.error ? `: ${clip.error}` : ''}`
          : clip.status === 'running'
            ? `running ${clip.stage ?? ''}`.trim()
            : clip.status;
    rows.push(
      `| ${clip.rank} | ${clip.score} | ${cell(clip.hook)} | ${cell(clip.reason)} | ${time(clip.startS)}–${time(clip.endS)} | ${
        clip.durationS !== undefined ? clip.durationS.toFixed(1) : (clip.endS - clip.startS).toFixed(1)
      } s | ${clip.reelPath ?? '—'} | ${clip.costUsd !== undefined ? `$${clip.costUsd.toFixed(2)}` : '—'} | ${cell(status)} |`,
    );
  }
  return rows.join('\n');
}

/** output/<episode id>/index.md */
export function formatEpisodeIndex(input: { workflowId: string; source: string; clips: EpisodeClip[] }): string {
  const delivered = input.clips.filter((clip) => clip.status === 'delivered').length;
  const waiting = input.clips.filter((clip) => clip.status === 'waiting');
  const lines = [
    `# Episode ${input.workflowId}`,
    '',
    `Source: ${input.source}`,
    '',
    `${input.clips.length} clips, best first: ${delivered} delivered${
      waiting.length ? `, ${waiting.length} waiting for resume` : ''
    }.`,
    '',
    formatClipTable(input.clips),
    '',
  ];
  if (waiting.length) {
    lines.push('Waiting clips resume on their own workflow:', '');
    for (const clip of waiting) lines.push(`    ${resumeCommand(clip.workflowId)}`);
    lines.push('');
  }
  return lines.join('\n');
}
