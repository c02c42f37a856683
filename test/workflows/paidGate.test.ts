/**
 * The gate's rules for paid failures (workflow logic, stand-in activities on a real Temporal
 * server): an unknown submission is never resubmitted automatically — not by Temporal, not by the
 * gate's single auto-retry — and over_budget clips are shown with why; the run completes.
 */
import type { WorkflowBundle } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrollJob } from '../../src/domain/broll';
import { brollQuery } from '../../src/workflows/definitions';
import { standInActivities, THREE_PROMPTS } from '../helpers/standInActivities';
import type { TestTemporal } from '../helpers/temporal';
import { bundleWorkflows, connectTestTemporal, uniqueName } from '../helpers/temporal';
import { progressOf, withStandInWorker } from '../helpers/workflows';

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
    const standIns = standInActivities({
      prompts: THREE_PROMPTS,
      clips: {
        intro: { submits: ['submit_unknown'] },
        broll: { submits: ['submit_unknown'] },
        outro: { submits: ['over_budget'] },
      },
    });
    const { jobs, progress } = await withStandInWorker(temporal, bundle, standIns, async (taskQueue) => {
      const handle = await temporal.client.workflow.start('reelPipeline', {
        taskQueue,
        workflowId: uniqueName('reel-paid'),
        args: [{ source: '/media/episode.mp4' }],
      });
      await handle.result();
      return { jobs: await handle.query(brollQuery), progress: await progressOf(handle) };
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
