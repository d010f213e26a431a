"""Run every benchmark and print its table (`make bench`)."""

from bench import (
    api_submit,
    bulk_import,
    correlation,
    correlation_incremental,
    correlation_quality,
    correlation_scale,
    geo_locate,
    ledger,
    pages,
    witnessing,
    workers,
)

for module in (geo_locate, bulk_import, api_submit, correlation_quality,
               correlation_incremental, correlation, correlation_scale, ledger, pages,
               witnessing, workers):
    module.main()
