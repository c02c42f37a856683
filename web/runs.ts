/** The runs list: kind, status, stage, started, duration, cost; filtered by the same visibility query as the CLI; live. */
import type { RunSummary } from '../src/domain/runList';
import { RUN_KINDS } from '../src/domain/runList';
import { follow } from './api';
import { fill, h } from './dom';
import { clock, seconds } from './words';

export function runsList(): { el: HTMLElement; stop: () => void } {
  const kind = h(
    'select',
    { id: 'filter-kind', onchange: () => restart() },
    h('option', { value: '' }, 'all kinds'),
    Object.entries(RUN_KINDS).map(([value, words]) => h('option', { value }, words)),
  );
  const status = h(
    'select',
    { id: 'filter-status', onchange: () => restart() },
    h('option', { value: '' }, 'any status'),
    h('option', { value: 'RUNNING' }, 'running'),
    h('option', { value: 'FAILED' }, 'failed (waiting for resume)'),
    h('option', { value: 'COMPLETED' }, 'completed'),
  );
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'Loading runs…')));
  const problem = h('p', { class: 'message bad', role: 'status' });
  const el = h(
    'section',
    { class: 'card', id: 'runs' },
    h('h2', {}, 'Runs ', h('small', { class: 'muted' }, 'live')),
    h('div', { class: 'row filters' }, kind, status),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Run', 'Kind', 'Status', 'Stage', 'Started', 'Duration', 'Cost'].map((t) => h('th', {}, t)),
          ),
        ),
        body,
      ),
    ),
    problem,
  );

  const render = (runs: RunSummary[]) => {
    problem.textContent = '';
    if (runs.length === 0) return fill(body, h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No runs yet.')));
    fill(
      body,
      runs.map((run) => {
        const end = run.closedAt ? Date.parse(run.closedAt) : Date.now();
        return h(
          'tr',
          { 'data-id': run.workflowId },
          h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(run.workflowId)}` }, run.workflowId)),
          h('td', {}, run.kind),
          h(
            'td',
            {},
            h('span', { class: `badge ${(run.status || run.execution).toLowerCase()}` }, run.status || run.execution),
          ),
          h('td', {}, run.stage),
          h('td', {}, clock(run.startedAt)),
          h('td', {}, seconds(end - Date.parse(run.startedAt))),
          h('td', { class: 'muted', title: "each run's page shows its estimated and actual cost" }, '—'),
        );
      }),
    );
  };

  let stop = () => {};
  function restart(): void {
    stop();
    const query = new URLSearchParams();
    if (kind.value) query.set('kind', kind.value);
    if (status.value) query.set('status', status.value);
    stop = follow<RunSummary[]>(`/api/live/projects?${query.toString()}`, 'runs', render, (why) => {
      problem.textContent = `The runs list could not be read: ${why}`;
    });
  }
  restart();
  return { el, stop: () => stop() };
}
