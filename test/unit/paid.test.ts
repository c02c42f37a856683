/** Paid work without Temporal: the estimator, the ledger rules, cost display, and the reducer's unknown clips. */
import { describe, expect, it } from 'vitest';
import { commit, refusal, release, reserve, reservedUsd } from '../../src/domain/budget';
import type { LedgerState } from '../../src/domain/budget';
import { addCalls, estimateReel, estimateVideo, formatEstimate, formatRunCost } from '../../src/domain/cost';
import type { PricedModels } from '../../src/domain/cost';
import { loadConfig } from '../../src/config';
import { modelUnavailableMessage } from '../../src/domain/models';
import { costLines } from '../../src/domain/summary';
import { loadPriceTable } from '../../src/pricing';
import { initialBrollJobs, reduceBrollJobs } from '../../src/workflows/brollJobs';
import type { BrollJobsState } from '../../src/workflows/brollJobs';
import type { Progress } from '../../src/domain/progress';
import type { BrollJob } from '../../src/domain/broll';
import { meterClips, meterRefusedCall } from '../../src/workflows/meter';
import { TEST_PRICES } from '../helpers/prices';
import { estimateClipRun, estimateEpisodeRun, estimateReelRun } from '../../src/pricing/estimate';

const gemini: PricedModels = {
  video: { provider: 'gemini-api', model: 'veo-3.1-generate-001' },
  image: { provider: 'gemini-api', model: 'gemini-2.5-flash-image' },
  text: { provider: 'gemini-api', model: 'gemini-2.5-flash' },
};
const offline: PricedModels = {
  video: { provider: 'offline', model: 'veo-3.1-generate-001' },
  image: { provider: 'offline', model: 'reelflow-offline-images' },
  text: { provider: 'offline', model: 'reelflow-offline-text' },
};

describe('estimates', () => {
  const table = loadPriceTable();

  it('a Gemini reel: clips × seconds × rate, and three text calls; the shipped table parses', () => {
    const e = estimateReel(table, gemini, { clips: 3, hasInstructions: true, transcribes: false });
    const video = e.lines.find((l) => l.kind === 'video')!;
    expect(video).toMatchObject({ quantity: 14, costUsd: 5.6 }); // 4 + 6 + 4 s at $0.40
    const text = e.lines.find((l) => l.kind === 'text')!;
    // 3 calls × (3000 × $0.30 + 800 × $2.50) / 1e6
    expect(text).toMatchObject({ quantity: 3, costUsd: 0.0087 });
    expect(e.totalUsd).toBeCloseTo(5.6087, 6);
    expect(e.offline).toBe(false);
    expect(formatEstimate(e)).toContain('| **total** | | | | **$5.61** |');
  });

  it('offline runs cost 0 and say so; an unpriced model is marked, not silently 0', () => {
    const e = estimateVideo(table, offline, { prompt: 'a b c', clipDurationS: 8, sceneCount: 2 });
    expect(e.totalUsd).toBe(0);
    expect(e.offline).toBe(true);
    expect(formatEstimate(e)).toContain('Every call is served offline: nothing is paid.');
    const unknown = estimateVideo(
      table,
      { ...gemini, video: { provider: 'gemini-api', model: 'veo-9' } },
      { prompt: 'x', clipDurationS: 8, sceneCount: 1 },
    );
    expect(unknown.lines.find((l) => l.kind === 'video')).toMatchObject({ unpriced: true, costUsd: 0 });
    expect(formatEstimate(unknown)).toContain('no price');
  });

  it("Gemini Omni's price is marked unconfirmed in the shipped table, and an estimate that uses it says so", () => {
    const omni = { ...gemini, video: { provider: 'gemini-api' as const, model: 'gemini-omni-flash-preview' } };
    const e = estimateVideo(table, omni, { prompt: 'x', clipDurationS: 8, sceneCount: 1 });
    expect(e.lines.find((l) => l.kind === 'video')).toMatchObject({ quantity: 8, costUsd: 0.8 });
    expect(e.assumptions).toContainEqual(
      expect.stringMatching(
        /^the price of gemini-omni-flash-preview is unconfirmed: .*third-party reports.*to be confirmed$/,
      ),
    );
    expect(formatEstimate(e)).toContain('the price of gemini-omni-flash-preview is unconfirmed');
    // A Veo price from the list is not marked.
    const veo = estimateReel(table, gemini, { clips: 3, hasInstructions: false, transcribes: false });
    expect(veo.assumptions.some((a) => a.includes('unconfirmed'))).toBe(false);
  });

  it('an episode of 3 clips: the source analysed once, copy and B-roll per clip', () => {
    const one = estimateReel(table, gemini, { clips: 2, hasInstructions: false, transcribes: true });
    const three = estimateReel(table, gemini, { clips: 2, hasInstructions: false, transcribes: true, reels: 3 });
    const video = (e: typeof one) => e.lines.find((l) => l.kind === 'video')!;
    const text = (e: typeof one) => e.lines.find((l) => l.kind === 'text')!;
    expect(video(three).quantity).toBe(3 * video(one).quantity);
    expect(video(three).what).toBe('3 clips × 2 B-roll clips (4 + 6 s)');
    // RESEARCH and TRANSCRIPT once, CONTENT per clip.
    expect(text(one).quantity).toBe(3);
    expect(text(three).what).toBe('5 calls (RESEARCH, TRANSCRIPT, CONTENT, CONTENT, CONTENT)');
    expect(three.totalUsd).toBeCloseTo(video(three).costUsd + text(three).costUsd, 6);
  });

  it('Gemini Omni is priced per second on the Gemini API, the default video model there', () => {
    const omni = { ...gemini, video: { provider: 'gemini-api' as const, model: 'gemini-omni-flash-preview' } };
    const e = estimateReel(table, omni, { clips: 1, hasInstructions: false, transcribes: false, pacing: 'slow' });
    expect(e.lines.find((l) => l.kind === 'video')).toMatchObject({ quantity: 8, costUsd: 0.8 });
    expect(loadConfig({ GEMINI_API_KEY: 'k' }).veo3.models).toEqual(['gemini-omni-flash-preview']);
    expect(loadConfig({}).veo3.models).toEqual(['veo-3.1-generate-001']);
    expect(
      loadConfig({ GEMINI_API_KEY: 'k', GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p' }).veo3.models[0],
    ).toBe('veo-3.1-generate-001');
  });

  it('a video estimate counts scenes + 1 key frames', () => {
    const e = estimateVideo(TEST_PRICES, offline, { prompt: 'p', clipDurationS: 4, sceneCount: 3 });
    expect(e.lines.find((l) => l.kind === 'image')).toMatchObject({ quantity: 4, costUsd: 0.16 });
    expect(e.totalUsd).toBeCloseTo(6.16, 6);
  });
});

describe('budget ledger rules', () => {
  it('refuses what would go over the cap, counting open reservations; repeats are granted again', () => {
    const state: LedgerState = { spentUsd: 0, reservations: {}, settled: {} };
    const ask = (id: string, usd: number) => ({ id, usd, label: id });
    expect(refusal(state, 5, ask('a', 3))).toBeUndefined();
    reserve(state, ask('a', 3), 't');
    expect(refusal(state, 5, ask('b', 3))).toMatch(/over the cap of \$5\.00 \(\$0\.00 spent, \$3\.00 reserved\)/);
    expect(refusal(state, 5, ask('a', 3))).toBeUndefined();
    commit(state, { id: 'a', usd: 2.5 });
    commit(state, { id: 'a', usd: 2.5 });
    expect(state.spentUsd).toBe(2.5);
    expect(reservedUsd(state)).toBe(0);
    reserve(state, ask('b', 2), 't');
    release(state, 'b');
    expect(refusal(state, 5, ask('c', 2.5))).toBeUndefined();
    expect(refusal(state, undefined, ask('d', 1e9))).toBeUndefined();
  });

  it('a refusal of a text call shows its fractions of a cent, not $0.00', () => {
    const state: LedgerState = { spentUsd: 0.0016, reservations: {}, settled: {} };
    expect(refusal(state, 0.004, { id: 't', usd: 0.0029, label: 'a text call' })).toBe(
      'a text call would cost $0.0029: over the cap of $0.0040 ($0.0016 spent, $0.00 reserved)',
    );
  });
});

describe('refused text and image calls', () => {
  it('stay in the run cost beside the clips, and summary.md lists them', () => {
    const progress = { cost: { calls: [], actualUsd: 0 } } as unknown as Progress;
    meterRefusedCall(progress, 'ROUTER', 'not made, over a budget cap: run r: a text call would cost $0.0029');
    meterClips(progress, []);
    meterRefusedCall(progress, 'ROUTER', 'again');
    expect(progress.cost?.refused).toEqual([
      { label: 'ROUTER (text/image call)', stage: 'ROUTER', reason: 'over_budget, not sent: again' },
    ]);
    expect(costLines(progress.cost!)).toContain('- ROUTER (text/image call): over_budget, not sent: again');
  });
});

describe('metered clips', () => {
  it('a clip counted when accepted gets the output tokens its provider reported when it finished, once', () => {
    const progress = { cost: { calls: [], actualUsd: 0 } } as unknown as Progress;
    const job: BrollJob = {
      idempotent_key: 'run_intro',
      variant: 'intro',
      status: 'submitted',
      operation: 'models/gemini-omni-flash-preview/interactions/v1_1',
      video_path: null,
      error_message: null,
      attempts: 1,
      updated_at: 't',
      cost_usd: 0.4,
      model: 'gemini-omni-flash-preview',
      provider: 'gemini-api',
      prompt: 'a harbour',
      duration_s: 4,
      narrative_anchor: '',
    };
    meterClips(progress, [job]);
    expect(progress.cost?.calls[0]).not.toHaveProperty('outputTokens');
    meterClips(progress, [{ ...job, status: 'done', video_path: 'clip.mp4', output_tokens: 23168 }]);
    meterClips(progress, [{ ...job, status: 'done', video_path: 'clip.mp4', output_tokens: 23168 }]);
    expect(progress.cost?.calls).toEqual([
      expect.objectContaining({ kind: 'video', label: 'run_intro', costUsd: 0.4, seconds: 4, outputTokens: 23168 }),
    ]);
    expect(progress.cost?.actualUsd).toBe(0.4);
    // summary.md and `reelflow status` show them beside the seconds.
    expect(costLines(progress.cost!)).toContain(
      '- run_intro: video, gemini-api gemini-omni-flash-preview, 4 s, 23168 output tokens: $0.40',
    );
    expect(formatRunCost(progress.cost!, 'run')).toContain(
      '    run_intro: $0.40 (gemini-omni-flash-preview, 4 s, 23168 output tokens)',
    );
  });
});

describe('cost display', () => {
  it('status names refused and unknown clips, with the command that resubmits an unknown one', () => {
    const clip = {
      id: 'op1',
      kind: 'video' as const,
      provider: 'vertex' as const,
      model: 'veo-3.1-fast-generate-001',
      label: 'run_intro',
      costUsd: 0.4,
      seconds: 4,
    };
    // The same call reported twice (a replayed activity result) is counted once.
    const cost = addCalls(
      { calls: [], actualUsd: 0, refused: [{ label: 'run_outro', reason: 'submit_unknown, may be charged: lost' }] },
      [clip, { ...clip }],
    );
    expect(cost.actualUsd).toBe(0.4);
    const text = formatRunCost(cost, 'reel-x').join('\n');
    expect(text).toContain('run_intro: $0.40 (veo-3.1-fast-generate-001, 4 s)');
    expect(text).toContain('reelflow broll retry reel-x --include-unknown');
    expect(costLines(cost).join('\n')).toContain('- run_outro: submit_unknown, may be charged: lost');
  });

  it('a model_unavailable message names the setting and what to try', () => {
    const message = modelUnavailableMessage('video', 'gemini-api', ['veo-3.1-generate-preview'], '404');
    expect(message).toContain('Set VEO3_MODEL to a model it serves');
    expect(message).toContain('GOOGLE_GENAI_USE_VERTEXAI=true');
  });
});

describe('B-roll reducer and unknown submissions', () => {
  const at = '2026-01-01T00:00:00.000Z';
  function unknownClip(): BrollJobsState {
    let state = initialBrollJobs(
      { runId: 'run', prompts: [{ variant: 'intro', prompt: 'p', duration_s: 4, narrative_anchor: 'a' }] },
      at,
    );
    state = reduceBrollJobs(state, { type: 'start', at }).state;
    return reduceBrollJobs(state, {
      type: 'submit_failed',
      key: 'run_intro',
      status: 'submit_unknown',
      message: 'lost',
      at,
    }).state;
  }

  it('a plain retry never resubmits a submit_unknown clip; includeUnknown does, under a new key', () => {
    let state = unknownClip();
    state = reduceBrollJobs(state, { type: 'retry_requested' }).state;
    const plain = reduceBrollJobs(state, { type: 'retry', at });
    expect(plain.commands).toEqual([]);
    expect(plain.state.jobs[0]!.status).toBe('submit_unknown');

    state = reduceBrollJobs(plain.state, { type: 'retry_requested', includeUnknown: true }).state;
    const knowing = reduceBrollJobs(state, { type: 'retry', at });
    expect(knowing.commands).toEqual([{ type: 'submit', key: 'run_intro', submitKey: 'run_intro_r2' }]);
  });
});

describe('episode estimates', () => {
  it("an episode's ROUTER estimate counts its clips; each clip's own is its copy and B-roll only", () => {
    const config = loadConfig({ TEXT_PROVIDER: 'gemini', GEMINI_API_KEY: 'x', VEO3_CLIP_COUNT: '2' });
    const request = { source: '/talk.mp4', instructions: 'keep it calm' };
    const episode = estimateReelRun(config, request, undefined, 3);
    expect(episode).toEqual(estimateEpisodeRun(config, { ...request, count: 3 }));
    const clip = estimateClipRun(config, 2);
    const text = (e: typeof clip) => e.lines.find((l) => l.kind === 'text')!;
    expect(text(clip).what).toBe('1 calls (CONTENT)');
    expect(text(episode).what).toBe('6 calls (ROUTER, RESEARCH, TRANSCRIPT, CONTENT, CONTENT, CONTENT)');
    const video = (e: typeof clip) => e.lines.find((l) => l.kind === 'video')!;
    expect(video(episode).quantity).toBe(3 * video(clip).quantity);
  });
});
