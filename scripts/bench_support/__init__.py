"""Parts of the benchmarks in scripts/ (the simulator's process, the daemon's side)."""
