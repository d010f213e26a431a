"""The ledger: an append-only, hash-linked, signed record of every action, with a Merkle
tree over its entries (RFC 6962) for checkpoints and proofs."""
