/**
 * Measurements on small grayscale frames that tell camera layouts apart. Pure functions over raw
 * 8-bit pixels, so they are tested without ffmpeg.
 */

/** Mean absolute difference between columns x-1 and x over all rows. */
function columnStep(frame: Uint8Array, width: number, height: number, x: number): number {
  let sum = 0;
  for (let y = 0; y < height; y++) sum += Math.abs((frame[y * width + x] ?? 0) - (frame[y * width + x - 1] ?? 0));
  return sum / height;
}

/**
 * How strongly the frame is split into a left and a right picture: the largest column step near
 * the centre divided by the median column step elsewhere. A split screen has a hard seam in the
 * middle (score well above 3); a single shot has none (close to 1).
 */
export function centerSeamScore(frame: Uint8Array, width: number, height: number): number {
  const steps: number[] = [];
  for (let x = 1; x < width; x++) steps.push(columnStep(frame, width, height, x));
  const centre = Math.floor(width / 2);
  const window = Math.max(1, Math.floor(width / 40));
  let seam = 0;
  for (let x = centre - window; x <= centre + window; x++) seam = Math.max(seam, steps[x - 1] ?? 0);
  const others = steps.filter((_, i) => Math.abs(i + 1 - centre) > window).sort((a, b) => a - b);
  const median = others[Math.floor(others.length / 2)] ?? 0;
  return seam / Math.max(median, 0.5);
}
