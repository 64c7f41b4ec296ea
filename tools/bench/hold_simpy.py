#!/usr/bin/env python3
"""The hold model (see hold_model.h) on SimPy 3, for tools/bench.sh.

Each of the `pending` processes waits env.timeout(delay) in a loop; every expired timeout is one
event, and the process schedules the next one. The delays are the C++ benchmark's own table
(rmqsim_hold_bench --write-delays), taken in the same order, so SimPy ends at the same virtual time
as the C++ engines: the line printed has the same columns as rmqsim_hold_bench's.

Usage: hold_simpy.py --delays FILE --mean-ns M --pending P --events N [--reps R]
Needs Debian's python3-simpy3 (./tools/setup.sh --bench); exits 77 when simpy is missing.
"""
import argparse
import array
import sys
import time

try:
    import simpy
except ImportError:
    print("hold_simpy: simpy not installed (./tools/setup.sh --bench)", file=sys.stderr)
    sys.exit(77)


def run_once(delays, pending, events):
    mask = len(delays) - 1
    env = simpy.Environment()
    stop = env.event()
    state = {"next": pending, "executed": 0}

    def holder(first):
        yield env.timeout(first)
        while True:
            state["executed"] += 1
            if state["executed"] == events:
                stop.succeed()  # urgent: runs before any other event at this instant
            i = state["next"]
            state["next"] = i + 1
            yield env.timeout(delays[i & mask])

    for j in range(pending):
        env.process(holder(delays[j & mask]))
    for _ in range(pending):  # untimed: each process starts and schedules its first timeout
        env.step()
    wall0, cpu0 = time.monotonic(), time.thread_time()
    env.run(until=stop)
    cpu, wall = time.thread_time() - cpu0, time.monotonic() - wall0
    return cpu, wall, int(env.now)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--delays", required=True, help="raw int64 delay table")
    parser.add_argument("--mean-ns", type=int, required=True)
    parser.add_argument("--pending", type=int, required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--reps", type=int, default=1)
    args = parser.parse_args()

    delays = array.array("q")
    with open(args.delays, "rb") as f:
        delays.frombytes(f.read())
    if len(delays) == 0 or len(delays) & (len(delays) - 1):
        sys.exit("hold_simpy: delay table size must be a power of two")

    runs = [run_once(delays, args.pending, args.events) for _ in range(args.reps)]
    cpu = sorted(r[0] for r in runs)[len(runs) // 2]
    wall = sorted(r[1] for r in runs)[len(runs) // 2]
    final = runs[-1][2]
    n = args.events
    print(f"simpy\t{args.mean_ns}\t{args.pending}\t{n}\t{cpu:.6f}\t{n / cpu:.0f}\t"
          f"{wall:.6f}\t{n / wall:.0f}\t{final}")


if __name__ == "__main__":
    main()
