import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/client';

/** Parses `args` as the CLI would, with commander's exits turned into errors. */
function parse(args: string[]): Promise<unknown> {
  const program = buildProgram();
  program.exitOverride();
  for (const command of program.commands) command.exitOverride().configureOutput({ writeErr: () => undefined });
  return program.parseAsync(['node', 'reelflow', ...args]);
}

describe('render options on the command line', () => {
  it('`reel` and `clips` both take --captions, --aspect, --hook and --host (the reel request accepts them)', () => {
    const program = buildProgram();
    for (const name of ['reel', 'clips']) {
      const flags = program.commands.find((c) => c.name() === name)!.options.map((o) => o.long);
      expect(flags).toEqual(expect.arrayContaining(['--captions', '--aspect', '--hook', '--host']));
    }
  });

  it('a bad value is refused by the request schema, naming the field, before anything is started', async () => {
    // Validation runs before the CLI connects to Temporal, so no server is needed for the refusal.
    await expect(parse(['reel', 'talk.mp4', '--aspect', '7:3'])).rejects.toThrow(
      /invalid reel request: aspect: must be one of 9:16, 1:1, 4:5, 16:9/,
    );
    await expect(parse(['reel', 'talk.mp4', '--captions', 'huge'])).rejects.toThrow(/invalid reel request: captions:/);
    await expect(parse(['clips', 'talk.mp4', '--aspect', '2:1'])).rejects.toThrow(/aspect: must be one of/);
    await expect(parse(['reel', 'talk.mp4', '--host', 'a/b'])).rejects.toThrow(
      /invalid reel request: host: must be 1–64 letters/,
    );
  });

  it('a mistyped option is named, with the likely one and a pointer to --help instead of the whole usage', async () => {
    const program = buildProgram();
    let written = '';
    program.exitOverride();
    for (const command of program.commands)
      command.exitOverride().configureOutput({ writeErr: (text) => void (written += text) });
    await expect(program.parseAsync(['node', 'reelflow', 'reel', 'talk.mp4', '--aspekt', '1:1'])).rejects.toThrow();
    expect(written.trim().split('\n')).toEqual([
      "error: unknown option '--aspekt'",
      '(Did you mean --aspect?)',
      "(add --help for the command's options)",
    ]);
  });
});
