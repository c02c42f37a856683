/**
 * A run's page: where it is (a live timeline of its stages, from the API's Server-Sent Events),
 * why it stopped, its QA verdicts, its B-roll clips and events, the actions a person can take, and
 * once it is finished, the review.
 */
import type { BrollJob } from '../src/domain/broll';
import type { EpisodeClip } from '../src/domain/episode';
import type { Progress, StageRecord } from '../src/domain/progress';
import { REEL_STAGE_SEQUENCE } from '../src/workflows/stages';
import { call, follow } from './api';
import { runCostView } from './cost';
import { fill, h } from './dom';
import { review } from './review';
import { clock, CLIP_STATUS_WORDS, outcomeText, seconds, sentence } from './words';

/** A run as GET /api/projects/:id (and its live stream) describe it. */
export interface ProjectDetail {
  id: string;
  execution: string;
  progress: Progress | null;
  broll: BrollJob[];
  result: Record<string, unknown> | null;
  failure: string | null;
}

const ACTIONS = [
  { label: 'Resume', route: 'resume', hint: 'rerun the failed stage and what follows' },
  { label: 'Retry B-roll', route: 'broll/retry', hint: 'resubmit the failed clips now' },
  {
    label: 'Cancel B-roll',
    route: 'broll/cancel',
    hint: 'stop generating; the reel goes on with the clips that exist',
  },
] as const;

/** One line saying where the run is, in words. */
function headline(d: ProjectDetail): { text: string; tone: string } {
  const p = d.progress;
  if (d.execution === 'COMPLETED') return { text: 'Completed', tone: 'completed' };
  if (d.execution !== 'RUNNING')
    return { text: `Ended: ${d.execution.toLowerCase().replace(/_/g, ' ')}`, tone: 'failed' };
  if (!p) return { text: 'Starting (waiting for a worker)…', tone: 'running' };
  if (p.status === 'FAILED') return { text: `Stopped at ${p.stage}: waiting for resume`, tone: 'failed' };
  return { text: `Running: ${p.stage}${p.phase ? ` (${p.phase.replace(/_/g, ' ')})` : ''}`, tone: 'running' };
}

function stageRows(p: Progress | null): { stage: string; record?: StageRecord }[] {
  const records = p?.stages ?? [];
  // A reel shows every stage to come; a clip starts at CONTENT (its episode analysed the source);
  // videos and episodes show the stages they have reached.
  const names: string[] =
    p?.kind === 'reel'
      ? [...REEL_STAGE_SEQUENCE]
      : p?.kind === 'clip'
        ? REEL_STAGE_SEQUENCE.slice(REEL_STAGE_SEQUENCE.indexOf('CONTENT'))
        : records.map((r) => r.stage);
  return names.map((stage) => ({ stage, record: records.find((r) => r.stage === stage) }));
}

function timeline(d: ProjectDetail): HTMLElement {
  return h(
    'ol',
    { class: 'timeline', id: 'timeline' },
    stageRows(d.progress).map(({ stage, record }) => {
      const state = record?.status ?? 'waiting';
      return h(
        'li',
        { class: `stage ${state}`, 'data-stage': stage, 'data-state': state },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        h('strong', {}, stage),
        h(
          'span',
          { class: 'muted' },
          state === 'waiting' ? ' not started' : ` ${state}`,
          record?.durationMs !== undefined ? ` · ${seconds(record.durationMs)}` : '',
          record && record.attempts > 1 ? ` · ${record.attempts} attempts` : '',
        ),
        record?.error ? h('div', { class: 'error' }, record.error) : null,
        record?.qa?.length
          ? h(
              'ul',
              { class: 'qa' },
              record.qa.map((a) =>
                h(
                  'li',
                  { class: `verdict ${a.verdict.toLowerCase()}` },
                  `QA ${a.attempt}: ${a.verdict} (score ${a.score})`,
                  a.feedback.length ? ` — ${a.feedback.join('; ')}` : '',
                  (a.warnings ?? []).map((w) => h('div', { class: 'muted' }, `warning: ${w}`)),
                ),
              ),
            )
          : null,
      );
    }),
  );
}

function clipsTable(jobs: BrollJob[]): HTMLElement {
  if (jobs.length === 0) return h('p', { class: 'muted' }, 'No B-roll clips (yet).');
  return h(
    'table',
    { id: 'clips' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Clip', 'State', 'Tries', 'Prompt', 'Problem'].map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      jobs.map((job) =>
        h(
          'tr',
          { 'data-variant': job.variant, 'data-status': job.status },
          h('td', {}, `${job.variant} (${job.duration_s} s)`),
          h('td', {}, h('span', { class: `badge clip-${job.status}` }, CLIP_STATUS_WORDS[job.status] ?? job.status)),
          h('td', {}, job.attempts),
          h('td', { class: 'prompt' }, job.prompt),
          h('td', { class: 'error' }, job.error_message ?? ''),
        ),
      ),
    ),
  );
}

const CLIP_WORDS: Record<EpisodeClip['status'], string> = {
  pending: 'waiting its turn',
  running: 'rendering',
  delivered: 'delivered',
  waiting: 'waiting for resume',
  failed: 'failed',
};

const mmss = (s: number) => `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;

/** An episode's ranked clips, best first; each links to its own run (where a waiting clip resumes). */
function episodeTable(clips: EpisodeClip[]): HTMLElement {
  return h(
    'table',
    { id: 'episode-clips' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Rank', 'Score', 'Hook', 'Why', 'Time', 'Length', 'Cost', 'State'].map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      clips.map((clip) =>
        h(
          'tr',
          { 'data-rank': String(clip.rank), 'data-status': clip.status },
          h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(clip.workflowId)}` }, `#${clip.rank}`)),
          h('td', {}, String(clip.score)),
          h('td', {}, h('strong', {}, clip.hook)),
          h('td', { class: 'prompt' }, clip.reason),
          h('td', {}, `${mmss(clip.startS)}–${mmss(clip.endS)}`),
          h('td', {}, `${(clip.durationS ?? clip.endS - clip.startS).toFixed(1)} s`),
          h('td', {}, clip.costUsd !== undefined ? `$${clip.costUsd.toFixed(2)}` : '—'),
          h(
            'td',
            {},
            h('span', { class: `badge clip-${clip.status}` }, CLIP_WORDS[clip.status]),
            clip.stage && clip.status !== 'delivered' ? ` ${clip.stage}` : '',
            clip.status === 'waiting'
              ? h('div', { class: 'muted' }, 'open the clip and press Resume')
              : clip.error
                ? h('div', { class: 'error' }, clip.error)
                : '',
          ),
        ),
      ),
    ),
  );
}

function eventsList(p: Progress | null): HTMLElement {
  const events = [...(p?.events ?? [])].reverse().slice(0, 40);
  if (events.length === 0) return h('p', { class: 'muted' }, 'No events yet.');
  return h(
    'ul',
    { class: 'events' },
    events.map((e) =>
      h(
        'li',
        {},
        h('time', {}, clock(e.at)),
        ' ',
        h('code', {}, e.type),
        e.stage ? ` ${e.stage}` : '',
        e.data ? h('span', { class: 'muted' }, ` ${sentence(e.data)}`) : '',
      ),
    ),
  );
}

export function runPage(id: string): { el: HTMLElement; stop: () => void } {
  const title = h('h2', {}, id);
  const status = h('p', { class: 'status', id: 'run-status', role: 'status' }, 'Loading…');
  const why = h('div', { class: 'why', id: 'run-error', hidden: true });
  const costSlot = h('div', { id: 'run-cost-slot' });
  const actionMessage = h('p', { class: 'message', id: 'action-message', role: 'status' });
  const buttons = ACTIONS.map((action) =>
    h(
      'button',
      {
        type: 'button',
        title: action.hint,
        'data-action': action.route,
        onclick: () => {
          actionMessage.textContent = `${action.label}…`;
          void call(`/api/projects/${encodeURIComponent(id)}/${action.route}`, { method: 'POST' }).then(
            (answer) => {
              actionMessage.textContent = outcomeText(action.label, answer.status, answer.body);
              actionMessage.classList.toggle('bad', !answer.ok);
            },
            (err: unknown) => (actionMessage.textContent = `${action.label} failed: ${(err as Error).message}`),
          );
        },
      },
      action.label,
    ),
  );
  const stages = h('section', { class: 'card' }, h('h3', {}, 'Stages'), h('p', { class: 'muted' }, 'Loading…'));
  const clips = h('section', { class: 'card' }, h('h3', {}, 'B-roll clips'));
  const events = h('section', { class: 'card' }, h('h3', {}, 'Events'));
  const reviewSlot = h('div', { id: 'review-slot' });
  const episode = h('section', { class: 'card', id: 'episode', hidden: true });
  const problem = h('p', { class: 'message bad', role: 'status' });
  const el = h(
    'div',
    { class: 'run', id: 'run-page', 'data-id': id },
    h('p', {}, h('a', { href: '#/' }, '← all runs')),
    h(
      'section',
      { class: 'card' },
      title,
      status,
      costSlot,
      why,
      h('div', { class: 'actions' }, buttons),
      actionMessage,
      problem,
    ),
    episode,
    reviewSlot,
    h('div', { class: 'columns' }, stages, h('div', {}, clips, events)),
  );

  let reviewed = false;
  const render = (d: ProjectDetail) => {
    problem.textContent = '';
    const { text, tone } = headline(d);
    const p = d.progress;
    const took = p ? (p.completedAt ? Date.parse(p.completedAt) : Date.now()) - Date.parse(p.startedAt) : undefined;
    fill(
      status,
      h('span', { class: `badge ${tone}` }, text),
      p ? h('span', { class: 'muted' }, ` ${p.kind} · started ${clock(p.startedAt)} · ${seconds(took)}`) : null,
    );
    status.dataset.execution = d.execution;
    fill(costSlot, runCostView(p?.cost));
    status.dataset.status = p?.status ?? '';
    const cause = p?.status === 'FAILED' || d.execution !== 'RUNNING' ? (p?.error ?? d.failure) : undefined;
    why.hidden = !cause;
    if (cause)
      fill(
        why,
        h('strong', {}, 'Why it stopped: '),
        cause,
        d.execution === 'RUNNING' ? h('div', { class: 'muted' }, 'Fix the cause, then press Resume.') : null,
      );
    // A closed run takes no more commands: say so rather than offer buttons that cannot work.
    for (const button of buttons) {
      button.disabled = d.execution !== 'RUNNING';
      button.title = button.disabled
        ? 'the run has ended'
        : (ACTIONS.find((a) => a.route === button.dataset.action)?.hint ?? '');
    }
    fill(stages, h('h3', {}, 'Stages'), timeline(d));
    fill(clips, h('h3', {}, 'B-roll clips'), clipsTable(d.broll));
    fill(events, h('h3', {}, 'Events'), eventsList(p));
    episode.hidden = !p?.clips;
    if (p?.clips) {
      fill(
        episode,
        h('h3', {}, 'Clips, best first'),
        p.episodeId ? null : h('p', { class: 'muted' }, 'Each clip is its own run: open one to watch it or resume it.'),
        episodeTable(p.clips),
      );
    }
    if (p?.episodeId) {
      fill(
        episode,
        h('p', {}, 'Clip of episode ', h('a', { href: `#/runs/${encodeURIComponent(p.episodeId)}` }, p.episodeId)),
      );
      episode.hidden = false;
    }
    // An episode's result is its table (above); each clip's own page reviews its reel.
    if (d.result && !reviewed && p?.kind !== 'episode') {
      // Built once: re-rendering would restart the video.
      reviewed = true;
      void review(id, d.result).then(
        (section) => fill(reviewSlot, section),
        (err: unknown) =>
          fill(
            reviewSlot,
            h('p', { class: 'message bad' }, `The review could not be shown: ${(err as Error).message}`),
          ),
      );
    }
  };
  const stop = follow<ProjectDetail>(`/api/live/projects/${encodeURIComponent(id)}`, id, render, (message) => {
    problem.textContent = `Could not read the run: ${message}`;
  });
  return { el, stop };
}
