/**
 * Money: the price table's shape, what one paid call cost, and the estimate of a run before it
 * starts. Pure (no Node imports): the CLI, the API, activities and workflows share it.
 */
import { z } from 'zod';
import { formatUsd } from './money';

const usd = z.number().min(0);
/** A per-second video price, the same at every resolution or by resolution ("720p", "1080p"). */
const PerSecondSchema = z.union([usd, z.record(z.string(), usd)]);

const ProviderPricesSchema = z
  .object({
    label: z.string().min(1),
    /** Runs on this machine with no provider account: every call it serves costs 0. */
    offline: z.boolean().optional(),
    note: z.string().optional(),
    video: z
      .record(
        z.string(),
        z
          .object({
            perSecond: PerSecondSchema,
            /** Where a price not checked against the provider's own price list came from (estimates say so). */
            unconfirmed: z.string().min(1).optional(),
          })
          .strict(),
      )
      .optional(),
    image: z.record(z.string(), z.object({ perImage: usd }).strict()).optional(),
    text: z.record(z.string(), z.object({ inputPerMTokens: usd, outputPerMTokens: usd }).strict()).optional(),
  })
  .strict();

export const PriceTableSchema = z.object({
  currency: z.literal('USD'),
  asOf: z.string().min(1),
  source: z.string().optional(),
  providers: z.record(z.string(), ProviderPricesSchema),
});
export type PriceTable = z.infer<typeof PriceTableSchema>;

/** Where a call is served: reelflow's offline providers, the Gemini Developer API, or Vertex AI. */
export type PriceProvider = 'offline' | 'gemini-api' | 'vertex';
export type CallKind = 'video' | 'image' | 'text';

/** What the run uses for each kind of call (names a row of the price table). */
export interface PricedModels {
  video: { provider: PriceProvider; model: string; resolution?: string };
  image: { provider: PriceProvider; model: string };
  text: { provider: PriceProvider; model: string };
}

/** One metered paid call (or one accepted video job). */
export interface MeteredCall {
  /** Unique per call, so a retried activity's report is not counted twice. */
  id: string;
  kind: CallKind;
  provider: PriceProvider;
  model: string;
  /** What it was for: a clip key, `ROUTER`, `scene-2 start frame`… */
  label: string;
  costUsd: number;
  /**
   * video: seconds generated (and, for Gemini Omni, the output tokens its interaction reported; the
   * price is still per second); image: images; text: tokens in and out as the API reported them.
   */
  seconds?: number;
  images?: number;
  inputTokens?: number;
  outputTokens?: number;
}

export interface EstimateLine {
  kind: CallKind;
  /** What is counted, e.g. "3 clips × 4–6 s" or "3 calls (ROUTER, TRANSCRIPT, CONTENT)". */
  what: string;
  provider: PriceProvider;
  model: string;
  quantity: number;
  unit: 'second' | 'image' | 'call';
  costUsd: number;
  /** Set when the table has no price for the model (then costUsd is 0 and the total is a lower bound). */
  unpriced?: boolean;
}

export interface CostEstimate {
  lines: EstimateLine[];
  totalUsd: number;
  /** True when every line is served offline (costs 0, and is named as such). */
  offline: boolean;
  /** What the estimate assumes (clip lengths, tokens per call…). */
  assumptions: string[];
  pricesAsOf: string;
}

/** What progress, status and summary.md show: the estimate and what was metered so far. */
export interface RunCost {
  estimate?: CostEstimate;
  /** Metered calls, one per paid call (video: one per accepted job). */
  calls: MeteredCall[];
  actualUsd: number;
  /**
   * Clips a cap refused (or whose submission is unknown), and text/image calls a cap refused (those
   * carry the stage that wanted them), with why.
   */
  refused?: { label: string; reason: string; stage?: string }[];
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

function providerEntry(table: PriceTable, provider: PriceProvider) {
  return table.providers[provider];
}

/** Dollars per generated second, or undefined when the table does not price the model. */
export function videoRate(
  table: PriceTable,
  provider: PriceProvider,
  model: string,
  resolution = '720p',
): number | undefined {
  const entry = providerEntry(table, provider);
  const row = entry?.video?.[model];
  if (row) return typeof row.perSecond === 'number' ? row.perSecond : row.perSecond[resolution];
  return entry?.offline ? 0 : undefined;
}

export function imageRate(table: PriceTable, provider: PriceProvider, model: string): number | undefined {
  const entry = providerEntry(table, provider);
  return entry?.image?.[model]?.perImage ?? (entry?.offline ? 0 : undefined);
}

export function textCost(
  table: PriceTable,
  provider: PriceProvider,
  model: string,
  tokens: { input: number; output: number },
): number | undefined {
  const entry = providerEntry(table, provider);
  const row = entry?.text?.[model];
  if (!row) return entry?.offline ? 0 : undefined;
  return round((tokens.input * row.inputPerMTokens + tokens.output * row.outputPerMTokens) / 1e6);
}

export function videoCost(
  table: PriceTable,
  provider: PriceProvider,
  model: string,
  seconds: number,
  resolution?: string,
): number | undefined {
  const rate = videoRate(table, provider, model, resolution);
  return rate === undefined ? undefined : round(rate * seconds);
}

/**
 * Tokens assumed for one structured text call (prompt with a transcript excerpt in, JSON out). The
 * metered counts replace these once the call is made.
 */
export const TEXT_CALL_TOKENS = { input: 3000, output: 800 };

/**
 * B-roll clip length the offline copy writer picks by pacing (the Gemini one chooses 4, 6 or 8 s
 * itself; the estimate assumes the same rule).
 */
export function brollClipSeconds(pacing: 'slow' | 'medium' | 'fast' | undefined, index: number): 4 | 6 | 8 {
  if (pacing === 'fast') return 4;
  if (pacing === 'slow') return 8;
  return index % 2 === 1 ? 6 : 4;
}

/** Scenes the storyboard plans when none are asked for: one per ten words of prompt, 2 to 6. */
export function defaultSceneCount(prompt: string): number {
  const words = prompt.split(/\s+/).filter(Boolean);
  return Math.min(6, Math.max(2, Math.ceil(words.length / 10)));
}

function line(
  table: PriceTable,
  kind: CallKind,
  what: string,
  priced: { provider: PriceProvider; model: string; resolution?: string },
  quantity: number,
  unit: EstimateLine['unit'],
): EstimateLine {
  const cost =
    kind === 'video'
      ? videoCost(table, priced.provider, priced.model, quantity, priced.resolution)
      : kind === 'image'
        ? (() => {
            const rate = imageRate(table, priced.provider, priced.model);
            return rate === undefined ? undefined : round(rate * quantity);
          })()
        : (() => {
            const one = textCost(table, priced.provider, priced.model, TEXT_CALL_TOKENS);
            return one === undefined ? undefined : round(one * quantity);
          })();
  return {
    kind,
    what,
    provider: priced.provider,
    model: priced.model,
    quantity,
    unit,
    costUsd: cost ?? 0,
    ...(cost === undefined ? { unpriced: true } : {}),
  };
}

/** A line priced from a row marked `unconfirmed` says so, with where the price came from. */
function unconfirmedPrices(table: PriceTable, lines: EstimateLine[]): string[] {
  return [
    ...new Set(
      lines.flatMap((l) => {
        const why = l.kind === 'video' ? table.providers[l.provider]?.video?.[l.model]?.unconfirmed : undefined;
        return why ? [`the price of ${l.model} is unconfirmed: ${why}`] : [];
      }),
    ),
  ];
}

function finish(table: PriceTable, lines: EstimateLine[], assumptions: string[]): CostEstimate {
  const kept = lines.filter((l) => l.quantity > 0);
  return {
    lines: kept,
    totalUsd: round(kept.reduce((sum, l) => sum + l.costUsd, 0)),
    offline: kept.every((l) => l.provider === 'offline'),
    assumptions: [
      ...assumptions,
      ...(kept.some((l) => l.unpriced) ? ['models marked "no price" are not in the price table: counted as 0'] : []),
      ...unconfirmedPrices(table, kept),
    ],
    pricesAsOf: table.asOf,
  };
}

export interface ReelEstimateInput {
  /** B-roll clips per reel. */
  clips: number;
  /** Free-form instructions make ROUTER ask the text model once. */
  hasInstructions: boolean;
  /** The source has no subtitles and the text model transcribes it (one more call). */
  transcribes: boolean;
  pacing?: 'slow' | 'medium' | 'fast';
  /** One clip of an episode, whose source the episode analysed: only the clip's copy and B-roll. */
  clipOfEpisode?: boolean;
  /**
   * Reels cut from the source: 1 for a reel, N for an episode (the source is analysed once;
   * each clip writes its own copy and has its own B-roll).
   */
  reels?: number;
}

/** A reel: ROUTER (with instructions), TRANSCRIPT ranking and CONTENT copy are text calls; each clip is video. */
export function estimateReel(table: PriceTable, models: PricedModels, input: ReelEstimateInput): CostEstimate {
  const reels = input.reels ?? 1;
  const seconds = Array.from({ length: input.clips }, (_, i) => brollClipSeconds(input.pacing, i));
  const totalS = seconds.reduce((a, b) => a + b, 0) * reels;
  const analysis = [
    ...(input.hasInstructions ? ['ROUTER'] : []),
    ...(input.transcribes ? ['RESEARCH'] : []),
    'TRANSCRIPT',
  ];
  const textStages = [...(input.clipOfEpisode ? [] : analysis), ...Array.from({ length: reels }, () => 'CONTENT')];
  const textCalls = models.text.provider === 'offline' ? [] : textStages;
  const brollWhat =
    reels === 1
      ? `${input.clips} B-roll clips (${seconds.join(' + ')} s)`
      : `${reels} clips × ${input.clips} B-roll clips (${seconds.join(' + ')} s)`;
  return finish(
    table,
    [
      line(table, 'text', `${textCalls.length} calls (${textCalls.join(', ')})`, models.text, textCalls.length, 'call'),
      line(table, 'video', brollWhat, models.video, totalS, 'second'),
    ],
    [
      `clip lengths follow ${input.pacing ?? 'medium'} pacing (the copy writer may choose others)`,
      ...(textCalls.length > 0
        ? [
            `each text call ≈ ${TEXT_CALL_TOKENS.input} input and ${TEXT_CALL_TOKENS.output} output tokens; QA reworks add calls`,
          ]
        : []),
      'a refused or failed generation is counted as not charged; an unknown submission as charged',
    ],
  );
}

export interface VideoEstimateInput {
  prompt: string;
  sceneCount?: number;
  clipDurationS: number;
}

/** Prompt to video: one storyboard call, scenes + 1 key frames, one clip per scene. */
export function estimateVideo(table: PriceTable, models: PricedModels, input: VideoEstimateInput): CostEstimate {
  const scenes = input.sceneCount ?? defaultSceneCount(input.prompt);
  const textCalls = models.text.provider === 'offline' ? 0 : 1;
  return finish(
    table,
    [
      line(table, 'text', 'STORYBOARD', models.text, textCalls, 'call'),
      line(
        table,
        'image',
        `${scenes + 1} key frames (scene N+1 starts from N's end)`,
        models.image,
        scenes + 1,
        'image',
      ),
      line(
        table,
        'video',
        `${scenes} scenes × ${input.clipDurationS} s`,
        models.video,
        scenes * input.clipDurationS,
        'second',
      ),
    ],
    [
      ...(input.sceneCount ? [] : [`${scenes} scenes (the storyboard decides; one per ten words of prompt, 2 to 6)`]),
      'a refused or failed generation is counted as not charged; an unknown submission as charged',
    ],
  );
}

const money = formatUsd;
export { formatUsd };

/** The estimate as a table for a terminal or summary.md. */
export function formatEstimate(estimate: CostEstimate): string {
  const rows = estimate.lines.map(
    (l) =>
      `| ${l.kind} | ${l.what} | ${l.provider === 'offline' ? 'offline (costs 0)' : l.provider} | ${l.model} | ${l.unpriced ? 'no price' : money(l.costUsd)} |`,
  );
  return [
    '| kind | what | provider | model | estimate |',
    '|---|---|---|---|---|',
    ...rows,
    `| **total** | | | | **${money(estimate.totalUsd)}** |`,
    '',
    `Prices as of ${estimate.pricesAsOf}.${estimate.offline ? ' Every call is served offline: nothing is paid.' : ''}`,
    ...estimate.assumptions.map((a) => `- ${a}`),
  ].join('\n');
}

/** Lines for `reelflow status`/`watch`: estimated and actual cost, each paid clip, and what a cap refused. */
export function formatRunCost(cost: RunCost, workflowId: string): string[] {
  const offline = cost.estimate?.offline && cost.actualUsd === 0;
  const lines = [
    offline
      ? '  cost: $0.00 (offline providers: nothing is paid)'
      : `  cost: estimated ${cost.estimate ? money(cost.estimate.totalUsd) : '—'}, actual ${money(cost.actualUsd)}`,
    ...cost.calls
      .filter((c) => c.kind === 'video')
      .map(
        (c) =>
          `    ${c.label}: ${money(c.costUsd)} (${c.model || c.provider}, ${c.seconds ?? '?'} s` +
          `${c.outputTokens !== undefined ? `, ${c.outputTokens} output tokens` : ''})`,
      ),
  ];
  const other = cost.calls.filter((c) => c.kind !== 'video').reduce((sum, c) => sum + c.costUsd, 0);
  if (other > 0) lines.push(`    text and images: ${money(round(other))}`);
  for (const refused of cost.refused ?? []) {
    lines.push(`    ${refused.label}: ${refused.reason}`);
    if (refused.reason.startsWith('submit_unknown'))
      lines.push(`      resubmit knowingly: reelflow broll retry ${workflowId} --include-unknown`);
  }
  return lines;
}

/** Adds metered calls to a run's cost, ignoring ids already counted (activities can be retried). */
export function addCalls(cost: RunCost, calls: MeteredCall[]): RunCost {
  const seen = new Set(cost.calls.map((c) => c.id));
  const fresh = calls.filter((c) => !seen.has(c.id) && Boolean(seen.add(c.id)));
  if (fresh.length === 0) return cost;
  const all = [...cost.calls, ...fresh];
  return { ...cost, calls: all, actualUsd: round(all.reduce((sum, c) => sum + c.costUsd, 0)) };
}

/** Actual cost per kind of call. */
export function actualByKind(cost: RunCost): Record<CallKind, number> {
  const out: Record<CallKind, number> = { video: 0, image: 0, text: 0 };
  for (const call of cost.calls) out[call.kind] = round(out[call.kind] + call.costUsd);
  return out;
}
