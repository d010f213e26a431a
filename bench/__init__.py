"""Benchmarks: `make bench` (python -m bench). Each reports ratios measured side by side."""

# Opens the server's ledger key in the throw-away databases the benchmarks make.
PASSPHRASE = "benchmark server passphrase"
