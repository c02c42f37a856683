import { describe, expect, it } from 'vitest';
import { inFlags } from '../../src/client';

describe('request errors on the command line', () => {
  it('name the flags a person typed, not the JSON fields; the messages themselves stay', () => {
    expect(
      inFlags(
        'invalid episode request: durationS: Too small: expected number to be >=30; count: Too big: expected number to be <=10',
      ),
    ).toBe(
      'invalid episode request: --duration: Too small: expected number to be >=30; --count: Too big: expected number to be <=10',
    );
    expect(inFlags('invalid video request: clipDurationS: must be 4, 6 or 8; crossfadeS: Too big')).toBe(
      'invalid video request: --clip-duration: must be 4, 6 or 8; --crossfade: Too big',
    );
    expect(inFlags('invalid reel request: source: Too small: expected string to have >=1 characters')).toBe(
      'invalid reel request: <source>: Too small: expected string to have >=1 characters',
    );
    // Anything else is left as it is.
    expect(inFlags('no run with id reel-x-000000')).toBe('no run with id reel-x-000000');
  });
});
