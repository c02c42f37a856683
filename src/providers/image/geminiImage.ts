/**
 * Gemini as the image model: image output through generateContent. The returned image is scaled
 * and cropped to the exact frame size the video model expects.
 */
import type { GoogleGenAI } from '@google/genai';
import { writeFile } from 'node:fs/promises';
import { ErrorType } from '../../domain/errors';
import { ffmpeg, run } from '../../media/ffmpeg';
import { ProviderError } from '../errors';
import type { GeminiOptions } from '../gemini';
import { blockReason, geminiClient } from '../gemini';
import { ModelChain, ModelUnavailableError } from '../modelFallback';
import { beforePaidCall, recordUsage, usageOf } from '../usage';
import type { ImageModel } from './types';

export class GeminiImageModel implements ImageModel {
  readonly name: string;
  private readonly ai: GoogleGenAI;
  private readonly models: ModelChain;

  /** `model`: one model, or the ordered fallback list of GEMINI_IMAGE_MODEL. */
  constructor(model: string | string[], options: GeminiOptions) {
    const models = Array.isArray(model) ? model : [model];
    this.name = `gemini images (${models[0]})`;
    this.ai = geminiClient(options);
    this.models = new ModelChain('image', options.vertex ? 'vertex' : 'gemini-api', models);
  }

  async generate(input: { prompt: string; width: number; height: number; output: string }): Promise<void> {
    let response;
    try {
      ({ result: response } = await this.models.run(async (model) => {
        await beforePaidCall({ kind: 'image', model });
        const answer = await this.ai.models.generateContent({
          model,
          contents: input.prompt,
          config: {
            responseModalities: ['IMAGE'],
            imageConfig: { aspectRatio: input.width >= input.height ? '16:9' : '9:16' },
          },
        });
        recordUsage(usageOf('image', model, answer, 1));
        return answer;
      }));
    } catch (err) {
      if (err instanceof ModelUnavailableError) throw new ProviderError(ErrorType.MODEL_UNAVAILABLE, err.message);
      throw err;
    }
    const blocked = blockReason(response);
    if (blocked) throw new ProviderError(ErrorType.CONTENT_BLOCKED, blocked);
    const image = response.candidates?.[0]?.content?.parts?.find((part) => part.inlineData?.data)?.inlineData;
    if (!image?.data) throw new ProviderError(ErrorType.MODEL_OUTPUT_INVALID, 'the model returned no image');
    const raw = `${input.output}.model`;
    await writeFile(raw, Buffer.from(image.data, 'base64'));
    const { width: w, height: h } = input;
    await run(
      ffmpeg(raw)
        .videoFilters(`scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h},setsar=1`)
        .outputOptions(['-frames:v', '1', '-update', '1', '-f', 'image2', '-c:v', 'png'])
        .output(input.output),
    );
  }
}
