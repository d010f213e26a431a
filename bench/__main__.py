"""Run every benchmark and print its table."""

from bench import geo_locate

for module in (geo_locate,):
    module.main()
