#!/usr/bin/env python3
"""The hold model (see hold_model.h) on SimPy 2 (classic API), for tools/bench.sh.

The engine issue #7 names: Debian's python3-simpy is SimPy 2.3.1 (`SimPy.Simulation`; SimPy 3,
`simpy`, is python3-simpy3 and runs as hold_simpy.py). Each of the `pending` processes loops on
`yield hold, self, delay`; every expired hold is one event. The delays are the C++ benchmark's table
(rmqsim_hold_bench --write-delays), taken in the same order, so SimPy 2 ends at the same virtual
time as the other engines; the line printed has rmqsim_hold_bench's columns.

Usage: hold_simpy2.py --delays FILE --mean-ns M --pending P --events N [--reps R]
Exits 77 when SimPy 2 is missing.
"""
import argparse
import array
import sys
import time

try:
    import SimPy.Simulation as S
except ImportError:
    print("hold_simpy2: SimPy 2 not installed (python3-simpy, ./tools/setup.sh --bench)",
          file=sys.stderr)
    sys.exit(77)


def run_once(delays, pending, events):
    mask = len(delays) - 1
    sim = S.Simulation()
    sim.initialize()
    state = {"next": pending, "executed": 0}

    class Holder(S.Process):
        def run(self, first):
            yield S.hold, self, first
            while True:
                state["executed"] += 1
                if state["executed"] == events:
                    sim.stopSimulation()
                i = state["next"]
                state["next"] = i + 1
                yield S.hold, self, delays[i & mask]

    for j in range(pending):
        h = Holder(sim=sim)
        sim.activate(h, h.run(delays[j & mask]))
    wall0, cpu0 = time.monotonic(), time.thread_time()
    sim.simulate(until=2**62)
    cpu, wall = time.thread_time() - cpu0, time.monotonic() - wall0
    return cpu, wall, int(sim.now())


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
        sys.exit("hold_simpy2: delay table size must be a power of two")

    runs = [run_once(delays, args.pending, args.events) for _ in range(args.reps)]
    cpu = sorted(r[0] for r in runs)[len(runs) // 2]
    wall = sorted(r[1] for r in runs)[len(runs) // 2]
    final = runs[-1][2]
    n = args.events
    print(f"simpy2\t{args.mean_ns}\t{args.pending}\t{n}\t{cpu:.6f}\t{n / cpu:.0f}\t"
          f"{wall:.6f}\t{n / wall:.0f}\t{final}")


if __name__ == "__main__":
    main()
