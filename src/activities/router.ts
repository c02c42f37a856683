/** ROUTER: check what the request names, before minutes of work. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ErrorType } from '../domain/errors';
import type { ReelRequest, RouterResult } from '../domain/reel';
import type { ActivityDeps } from './deps';
import { failure } from './failures';
import { probeVideo, requireFile } from './mediaChecks';
import { workspaceDir, writeJsonAtomic } from './workspace';

export const SUBTITLE_EXTENSIONS = ['.srt', '.vtt'];

export function createRouterActivities({ config }: ActivityDeps) {
  return {
    /** ROUTER: fail fast on anything the request names that is missing, before minutes of work. */
    async router(input: { workflowId: string; request: ReelRequest }): Promise<RouterResult> {
      const { request } = input;
      const workspace = workspaceDir(config.runsDir, input.workflowId);
      if (/^https?:\/\//i.test(request.source)) {
        throw failure(
          ErrorType.INVALID_REQUEST,
          `source: URL sources are not supported yet; download the file and pass its path (${request.source})`,
        );
      }
      const source = path.resolve(request.source);
      await requireFile(source, 'source video');
      await probeVideo(source, 'source video');
      let transcript: string | undefined;
      if (request.transcript) {
        transcript = path.resolve(request.transcript);
        if (!SUBTITLE_EXTENSIONS.includes(path.extname(transcript).toLowerCase())) {
          throw failure(ErrorType.INVALID_REQUEST, `transcript: must be an .srt or .vtt file (${transcript})`);
        }
        await requireFile(transcript, 'transcript');
      }
      await mkdir(workspace, { recursive: true });
      await writeJsonAtomic(path.join(workspace, 'request.json'), request);
      const broll = {
        clipCount: config.veo3.clipCount,
        timeoutS: config.veo3.timeoutS,
        aspectRatio: '9:16' as const,
        pollInitialS: config.veo3.pollInitialS,
        pollMaxS: config.veo3.pollMaxS,
      };
      return { workspace, source, ...(transcript ? { transcript } : {}), broll };
    },
  };
}
