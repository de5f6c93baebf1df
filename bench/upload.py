"""How fast video pitches upload (tus, 1 MiB chunks, each with its SHA-256), against writing the
same bytes to disk in the same run.

usage: python bench/upload.py [--files 8] [--mib 8] [--chunk-kib 1024] [--interrupt 3] [--seed 15] [--quick]

1. Serves the real app (`recap serve`, RECAP_DEV_AUTH=1) on 127.0.0.1 with a new database.
2. Makes --files WebM files of --mib MiB (a real EBML header, random bytes after it) and uploads
   each in turn: create, then PATCH chunk after chunk with `Upload-Checksum`. --interrupt of them
   are interrupted once at a random offset (the connection dropped mid-chunk on a raw socket) and
   resumed from the offset HEAD reports, as tus-js-client does.
3. The baseline: the same bytes written to a file in the same chunks, each chunk flushed to disk
   (write + fsync), as the server does with each PATCH.
4. Checks that every stored video (var/videos/<aa>/<sha256>) is byte-identical to its source.

Figures, not verdicts: nothing is asserted on time. Per file MiB/s, medians over the files, and
their ratio (upload ÷ disk). The last line:
`bench upload: files=N mib_per_s=X disk_mib_per_s=X ratio=R interrupted=N identical=N`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import videos  # noqa: E402
from tests.support.server import LiveServer  # noqa: E402
from tests.support.tus import TusClient, new_pitch_id  # noqa: E402

MIB = 1024 * 1024


def upload(client: TusClient, data: bytes, chunk: int, cut: int | None) -> int:
    """Upload one file; return how many times it was interrupted."""
    created = client.create(len(data), new_pitch_id(), hashlib.sha256(data).hexdigest())
    if created.status_code != 201:
        raise SystemExit(f"ERROR: creation answered {created.status_code}: {created.text}")
    location = created.headers["location"]
    position, interrupted = 0, 0
    while position < len(data):
        end = min(position + chunk, len(data))
        body = data[position:end]
        if cut is not None and position < cut < end:
            client.dropped_patch(location, position, body, cut - position, with_checksum=False)
            cut, interrupted = None, interrupted + 1
            position = client.offset(location)
            continue
        answer = client.patch(location, position, body, body)
        if answer.status_code != 204:
            raise SystemExit(f"ERROR: PATCH at {position} answered {answer.status_code}: {answer.text}")
        position = int(answer.headers["upload-offset"])
    return interrupted


def disk(folder: Path, data: bytes, chunk: int) -> float:
    """Seconds to write `data` to a new file in chunks, each flushed to disk."""
    path = folder / f"baseline-{hashlib.sha256(data).hexdigest()[:8]}"
    started = time.perf_counter()
    with open(path, "wb") as handle:
        for at in range(0, len(data), chunk):
            handle.write(data[at : at + chunk])
            handle.flush()
            os.fsync(handle.fileno())
    elapsed = time.perf_counter() - started
    path.unlink()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--mib", type=int, default=8)
    parser.add_argument("--chunk-kib", type=int, default=1024)
    parser.add_argument("--interrupt", type=int, default=3, help="how many files are interrupted once and resumed")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="a small run: 3 files of 2 MiB, 1 interrupted")
    args = parser.parse_args()
    if args.quick:
        args.files, args.mib, args.interrupt = 3, 2, 1
    rng = random.Random(args.seed)
    chunk = args.chunk_kib * 1024
    sources = [videos.video("webm", args.mib * MIB, rng) for _ in range(args.files)]
    cuts = {i: rng.randrange(1, args.mib * MIB) for i in rng.sample(range(args.files), min(args.interrupt, args.files))}
    with tempfile.TemporaryDirectory(prefix="recap-bench-upload-") as tmp:
        folder = Path(tmp)
        server = LiveServer(folder / "var" / "recap.db", env={"RECAP_DEV_AUTH": "1", "RECAP_REMINDERS": "0"})
        client = TusClient(server.url, "rep@example.com")
        up_rates, disk_rates, interrupted = [], [], 0
        try:
            print(
                f"{args.files} files of {args.mib} MiB, chunks of {args.chunk_kib} KiB with SHA-256, {len(cuts)} interrupted"
            )
            for i, data in enumerate(sources):
                started = time.perf_counter()
                interrupted += upload(client, data, chunk, cuts.get(i))
                up_seconds = time.perf_counter() - started
                disk_seconds = disk(folder, data, chunk)
                up_rates.append(args.mib / up_seconds)
                disk_rates.append(args.mib / disk_seconds)
                note = f"  (interrupted at {cuts[i]:,})" if i in cuts else ""
                print(f"file {i + 1}: upload {up_rates[-1]:7.1f} MiB/s, disk {disk_rates[-1]:7.1f} MiB/s{note}")
        finally:
            client.close()
            server.stop()
        identical = 0
        for data in sources:
            sha = hashlib.sha256(data).hexdigest()
            stored = folder / "var" / "videos" / sha[:2] / sha
            if stored.exists() and hashlib.sha256(stored.read_bytes()).hexdigest() == sha:
                identical += 1
            else:
                print(f"ERROR: video {sha} is missing or differs from its source")
    up, down = statistics.median(up_rates), statistics.median(disk_rates)
    print(
        f"upload median {up:.1f} MiB/s; disk (write + fsync per chunk) median {down:.1f} MiB/s; ratio {up / down:.2f}"
    )
    print(
        f"bench upload: files={args.files} mib_per_s={up:.1f} disk_mib_per_s={down:.1f} ratio={up / down:.2f} "
        f"interrupted={interrupted} identical={identical}"
    )
    return 0 if identical == args.files else 1


if __name__ == "__main__":
    sys.exit(main())
