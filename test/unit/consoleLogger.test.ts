import { describe, expect, it } from 'vitest';
import { consoleLine } from '../../src/dev/consoleLogger';

const at = 0n;

describe("the demo's and dev's console log", () => {
  it("says a failed run in one line, without the sandbox's stack", () => {
    const error = new Error('ROUTER failed: source video not found or not readable: /x/nope.mp4');
    const line = consoleLine({
      level: 'WARN',
      message: 'Workflow failed',
      timestampNanos: at,
      meta: { error, workflowId: 'reel-nope-1a2b3c', sdkComponent: 'worker' },
    });
    expect(line).toBe(
      '[WARN] reel-nope-1a2b3c failed: ROUTER failed: source video not found or not readable: /x/nope.mp4',
    );
    expect(line).not.toContain('\n');
  });

  it('drops the media-only workers\' "no workflows" notice and passes everything else through', () => {
    expect(
      consoleLine({
        level: 'WARN',
        message: 'No workflows registered, not polling for workflow tasks',
        timestampNanos: at,
      }),
    ).toBeUndefined();
    expect(
      consoleLine({ level: 'ERROR', message: 'Worker failed', timestampNanos: at, meta: { taskQueue: 'q' } }),
    ).toBe("[ERROR] Worker failed { taskQueue: 'q' }");
  });
});
