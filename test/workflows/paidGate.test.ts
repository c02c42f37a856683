/**
 * The gate's rules for paid failures (workflow logic, stand-in activities on a real Temporal
 * server): an unknown submission is never resubmitted automatically — not by Temporal, not by the
 * gate's single auto-retry — and over_budget clips are shown with why; the run completes.
 */
import type { WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrollJob } from '../../src/domain/broll';
import { THREE_PROMPTS } from '../helpers/standInActivities';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal } from '../helpers/temporal';
import { runStandInReel } from '../helpers/workflows';

let temporal: TestTemporal;
let bundle: WorkflowBundle;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  bundle = await bundleWorkflows();
});
afterAll(() => temporal?.close());

const statuses = (jobs: BrollJob[]) => Object.fromEntries(jobs.map((job) => [job.variant, job.status]));

describe('paid failures at the gate', () => {
  it('submit_unknown and over_budget clips are never resubmitted automatically; the run completes and says why', async () => {
    const { jobs, progress, standIns } = await runStandInReel(temporal, bundle, {
      prompts: THREE_PROMPTS,
      clips: {
        intro: { submits: ['submit_unknown'] },
        broll: { submits: ['submit_unknown'] },
        outro: { submits: ['over_budget'] },
      },
    });
    expect(statuses(jobs)).toEqual({ intro: 'submit_unknown', broll: 'submit_unknown', outro: 'over_budget' });
    // One submission each: no Temporal retry of the activity, no gate auto-retry round.
    expect(standIns.submissions).toHaveLength(3);
    expect(standIns.events.map((e) => e.type)).not.toContain('veo3.gate.retried');
    expect(progress.status).toBe('COMPLETED');
    expect(progress.cost?.refused?.map((r) => r.reason.split(',')[0])).toEqual([
      'submit_unknown',
      'submit_unknown',
      'over_budget',
    ]);
  });
});
