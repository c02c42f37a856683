import { describe, expect, it } from 'vitest';
import { ParsedDirectivesSchema } from '../../src/domain/directives';
import { clauses, parseInstructionsOffline } from '../../src/providers/text/offlineInstructions';

describe('offline instructions parser', () => {
  it('reads overlays and cutaways with times, phrases and durations', () => {
    const parsed = parseInstructionsOffline(
      'Overlay logo.png at 0:05 for 4 seconds. Cut to "b roll/factory floor.mp4" when they say "the factory floor". ' +
        'Show chart.jpg at 12s; start with intro.mov',
    );
    expect(parsed.overlays).toEqual([
      { path: 'logo.png', at: { reelS: 5 }, durationS: 4 },
      { path: 'chart.jpg', at: { reelS: 12 } },
    ]);
    expect(parsed.cutaways).toEqual([
      { path: 'b roll/factory floor.mp4', at: { anchor: 'the factory floor' } },
      { path: 'intro.mov', at: { reelS: 0 } },
    ]);
    expect(parsed.unparsed).toEqual([]);
    expect(ParsedDirectivesSchema.safeParse(parsed).success).toBe(true);
  });

  it('reads "start with a title" as the hook directive, as its own clause or beside others', () => {
    expect(parseInstructionsOffline('Start with a title.')).toEqual({
      overlays: [],
      cutaways: [],
      unparsed: [],
      hook: true,
    });
    for (const asked of ['open the reel with the hook line', 'Begin with a title card; keep it 45 seconds long']) {
      expect(parseInstructionsOffline(asked)).toMatchObject({ hook: true, unparsed: [] });
    }
    expect(parseInstructionsOffline('No title please, make it playful')).toMatchObject({
      hook: false,
      narrative: { tone: 'playful' },
    });
    // A cutaway that opens the reel is media, not a title; a title mentioned elsewhere asks for nothing.
    const media = parseInstructionsOffline('start with intro.mov');
    expect(media.hook).toBeUndefined();
    expect(media.cutaways).toEqual([{ path: 'intro.mov', at: { reelS: 0 } }]);
    expect(parseInstructionsOffline('the title of the show is great').hook).toBeUndefined();
    expect(ParsedDirectivesSchema.safeParse(parseInstructionsOffline('start with a hook')).success).toBe(true);
  });

  it('reads an unquoted spoken cue', () => {
    const parsed = parseInstructionsOffline('insert clips/warehouse.mp4 when the guest mentions supply chains');
    expect(parsed.cutaways).toEqual([{ path: 'clips/warehouse.mp4', at: { anchor: 'supply chains' } }]);
  });

  it('reads topic, length, tone, pacing and transitions', () => {
    const parsed = parseInstructionsOffline(
      'Focus on pricing strategy.\nKeep it 45 seconds long. Make it playful and fast-paced. Use hard cuts',
    );
    expect(parsed).toMatchObject({
      topic: 'pricing strategy',
      durationS: 45,
      narrative: { tone: 'playful', pacing: 'fast' },
      transition: 'cut',
      unparsed: [],
    });
    expect(parseInstructionsOffline('tone: whimsical. crossfade between shots').narrative?.tone).toBe('whimsical');
    expect(parseInstructionsOffline('crossfade between shots').transition).toBe('fade');
    expect(parseInstructionsOffline('fade to black between layouts').transition).toBe('dip_to_black');
    expect(parseInstructionsOffline('a one minute reel').durationS).toBe(60);
  });

  it('keeps what it does not understand, with a hint for media that has no time', () => {
    const parsed = parseInstructionsOffline('Add some sparkle. Use logo.png. Keep it 300 seconds long');
    expect(parsed.overlays).toEqual([]);
    expect(parsed.unparsed).toHaveLength(3);
    expect(parsed.unparsed[0]).toBe('Add some sparkle');
    expect(parsed.unparsed[1]).toContain('logo.png has no time or phrase');
    expect(parsed.unparsed[2]).toContain('30–120 s');
    expect(parsed.durationS).toBeUndefined();
  });

  it('keeps times and lengths outside the schema out of the directives, saying why', () => {
    const parsed = parseInstructionsOffline(
      'Show logo.png at 2:30. Cut to a.mp4 at 5s for 45s. Overlay b.png at 1s for 0.2s',
    );
    expect(parsed.overlays).toEqual([]);
    expect(parsed.cutaways).toEqual([]);
    expect(parsed.unparsed).toEqual([
      'Show logo.png at 2:30 (a reel is at most 120 s long)',
      expect.stringContaining('durationS: Too big'),
      expect.stringContaining('durationS: Too small'),
    ]);
  });

  it('splits clauses without breaking file names', () => {
    expect(clauses('Overlay a.png at 3s. Then cut to b.mp4 at 0:10!\nfocus on AI')).toEqual([
      'Overlay a.png at 3s',
      'Then cut to b.mp4 at 0:10',
      'focus on AI',
    ]);
  });
});
