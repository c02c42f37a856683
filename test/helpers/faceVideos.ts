/**
 * Small test videos made from real face photographs (scikit-image's astronaut and camera images,
 * extracted by `npm run setup`), each with the face where the test knows it is: ground truth for
 * the framing tests. 640x360, 10 fps, a steady tone as "speech"; generated per test run, never committed.
 */
import path from 'node:path';
import { ffmpeg, run } from '../../src/media/ffmpeg';
import { ensureTestFaces } from '../../scripts/testFaces';

export const FACE_VIDEO = { width: 640, height: 360, fps: 10 } as const;
/** The head-and-shoulders tile placed in the wide shots (pixels). */
export const TILE = 160;
/** Where the astronaut's face centre sits inside the tile, as a fraction of the tile (from the photograph). */
export const FACE_IN_TILE = { x: 0.36, y: 0.375 } as const;
const TILE_Y = 90;

/** A face moving in a wide shot: the tile's left edge over time, as an ffmpeg expression and as a function. */
export interface Motion {
  expr: string;
  at: (t: number) => number;
}

export interface FaceVideo {
  file: string;
  durationS: number;
  /** True face centre(s) in source pixels at time t. */
  faces: (t: number) => { x: number; y: number }[];
}

const faceCentre = (tileX: number) => ({ x: tileX + FACE_IN_TILE.x * TILE, y: TILE_Y + FACE_IN_TILE.y * TILE });

// The astronaut's head and shoulders, a square around her face in the 512x512 photograph.
const astronautTile = (label: string, input = 0) =>
  `[${input}:v]crop=256:256:130:35,scale=${TILE}:${TILE},setsar=1[${label}]`;
const background = (durationS: number) =>
  `color=c=0x5a6470:s=${FACE_VIDEO.width}x${FACE_VIDEO.height}:r=${FACE_VIDEO.fps}:d=${durationS}`;

async function render(file: string, durationS: number, stills: string[], graph: string): Promise<void> {
  const command = ffmpeg();
  for (const still of stills) command.input(still).inputOptions(['-loop', '1', '-framerate', String(FACE_VIDEO.fps)]);
  command
    .input(background(durationS))
    .inputOptions(['-f', 'lavfi'])
    .input(`sine=f=220:d=${durationS}`)
    .inputOptions(['-f', 'lavfi'])
    .complexFilter(graph)
    .outputOptions([
      '-map',
      '[v]',
      '-map',
      `${stills.length + 1}:a`,
      '-t',
      String(durationS),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
    ])
    .output(file);
  await run(command);
}

/** One face moving as `motion` says over a plain wall. */
export async function movingFaceVideo(
  dir: string,
  name: string,
  durationS: number,
  motion: Motion,
): Promise<FaceVideo> {
  const { astronaut } = await ensureTestFaces();
  const file = path.join(dir, `${name}.mp4`);
  const bg = 1;
  await render(
    file,
    durationS,
    [astronaut],
    `${astronautTile('tile')};[${bg}:v][tile]overlay=x='${motion.expr}':y=${TILE_Y}:eval=frame:shortest=1,format=yuv420p[v]`,
  );
  return { file, durationS, faces: (t) => [faceCentre(motion.at(t))] };
}

export const drift = (from: number, pxPerS: number): Motion => ({
  expr: `${from}+${pxPerS}*t`,
  at: (t) => from + pxPerS * t,
});
/** A few pixels of shake around `x` (as a hand-held camera or a fidgeting guest). */
export const jitter = (x: number): Motion => ({
  expr: `${x}+3*sin(t*23)+2*sin(t*41)`,
  at: (t) => x + 3 * Math.sin(t * 23) + 2 * Math.sin(t * 41),
});
export const jump = (from: number, to: number, atS: number): Motion => ({
  expr: `if(lt(t,${atS}),${from},${to})`,
  at: (t) => (t < atS ? from : to),
});

/**
 * Two people in one wide shot (no split): the astronaut mirrored on the left, still; the astronaut
 * on the right with her mouth opening and closing while the tone plays (a jaw shifted down over a
 * dark gap, alternating irregularly): only the right one "speaks".
 */
export async function talkingPairVideo(dir: string, durationS: number): Promise<FaceVideo & { speakerX: number }> {
  const { astronaut } = await ensureTestFaces();
  const open = path.join(dir, 'astronaut-mouth-open.png');
  await run(
    ffmpeg()
      .input(astronaut)
      .complexFilter(
        '[0]split[a][b];[b]crop=60:50:193:146[jaw];' +
          '[a]drawbox=x=200:y=146:w=46:h=10:color=0x301010:t=fill[m];[m][jaw]overlay=193:156[v]',
      )
      .outputOptions(['-map', '[v]', '-frames:v', '1'])
      .output(open),
  );
  const file = path.join(dir, 'talking-pair.mp4');
  const left = 90;
  const right = 390;
  const bg = 2;
  const talking = `lt(mod(t\\,0.7)\\,0.3)+between(mod(t\\,1.3)\\,0.9\\,1.1)`;
  await render(
    file,
    durationS,
    [astronaut, open],
    `${astronautTile('still')};[still]split[s1][closed];[s1]hflip[mirrored];` +
      `${astronautTile('opened', 1)};` +
      `[${bg}:v][mirrored]overlay=${left}:${TILE_Y}:shortest=1[one];` +
      `[one][closed]overlay=${right}:${TILE_Y}:shortest=1[two];` +
      `[two][opened]overlay=${right}:${TILE_Y}:shortest=1:enable='${talking}',format=yuv420p[v]`,
  );
  const mirroredFace = { x: left + (1 - FACE_IN_TILE.x) * TILE, y: TILE_Y + FACE_IN_TILE.y * TILE };
  return { file, durationS, faces: () => [mirroredFace, faceCentre(right)], speakerX: faceCentre(right).x };
}

/** A split screen: the astronaut on the left half, the cameraman on the right half. */
export async function splitScreenVideo(dir: string, durationS: number): Promise<FaceVideo> {
  const { astronaut, camera } = await ensureTestFaces();
  const file = path.join(dir, 'split-screen.mp4');
  await render(
    file,
    durationS,
    [astronaut, camera],
    `[0:v]scale=640:640,crop=320:360:118:0,setsar=1[l];[1:v]format=rgb24,scale=640:640,crop=320:360:120:50,setsar=1[r];` +
      `[l][r]hstack=inputs=2,format=yuv420p[v]`,
  );
  return { file, durationS, faces: () => [] };
}

/** A shared screen (a still slide of fine lines: text-like detail) with the astronaut small in the bottom-right corner. */
export async function screenShareVideo(dir: string, durationS: number): Promise<FaceVideo> {
  const { astronaut } = await ensureTestFaces();
  const file = path.join(dir, 'screen-share.mp4');
  const size = 150;
  const [x, y] = [FACE_VIDEO.width - size - 10, FACE_VIDEO.height - size - 10];
  await render(
    file,
    durationS,
    [astronaut],
    `[0:v]crop=256:256:130:35,scale=${size}:${size},setsar=1[thumb];` +
      `[1:v]drawgrid=w=7:h=5:t=1:c=black,drawbox=x=40:y=40:w=300:h=12:color=0x224488:t=fill[slide];` +
      `[slide][thumb]overlay=${x}:${y}:shortest=1,format=yuv420p[v]`,
  );
  return { file, durationS, faces: () => [{ x: x + FACE_IN_TILE.x * size, y: y + FACE_IN_TILE.y * size }] };
}

/** Four people in a 2x2 call grid: the astronaut, mirrored, and the cameraman twice. */
export async function gridVideo(dir: string, durationS: number): Promise<FaceVideo> {
  const { astronaut, camera } = await ensureTestFaces();
  const file = path.join(dir, 'grid.mp4');
  const tile = (input: number, flip: boolean, label: string) =>
    `[${input}:v]format=rgb24,scale=480:480,crop=320:180:${input === 0 ? 80 : 70}:${input === 0 ? 20 : 60}${flip ? ',hflip' : ''},setsar=1[${label}]`;
  await render(
    file,
    durationS,
    [astronaut, camera],
    `[0:v]split[a0][a1];[1:v]split[c0][c1];` +
      `${tile(0, false, 't0').replace('[0:v]', '[a0]')};${tile(0, true, 't1').replace('[0:v]', '[a1]')};` +
      `${tile(1, false, 't2').replace('[1:v]', '[c0]')};${tile(1, true, 't3').replace('[1:v]', '[c1]')};` +
      `[t0][t1][t2][t3]xstack=inputs=4:layout=0_0|w0_0|0_h0|w0_h0,format=yuv420p[v]`,
  );
  return { file, durationS, faces: () => [] };
}
