"""The correlation engine: reports into incidents, on numpy columns (docs/correlation.md):
candidate pairs, scores per field, clusters under the cannot-link rules."""
