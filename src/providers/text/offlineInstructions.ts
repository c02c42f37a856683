import type { ParsedDirectives } from '../../domain/directives';

export function parseInstructionsOffline(instructions: string): ParsedDirectives {
  return { overlays: [], cutaways: [], unparsed: instructions.trim() ? [instructions.trim()] : [] };
}
