/** Image generation: key frames for prompt-to-video. */
export interface ImageModel {
  readonly name: string;
  /** Renders `prompt` as a PNG of width×height at `output`. */
  generate(input: { prompt: string; width: number; height: number; output: string }): Promise<void>;
}
