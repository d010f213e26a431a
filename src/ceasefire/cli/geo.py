"""Geography: the admin areas holding a point."""

from __future__ import annotations

import click

from ceasefire.cli.root import Group
from ceasefire.errors import NotFound


@click.group(cls=Group)
def geo() -> None:
    """Geography: admin areas by OCHA P-code."""


@geo.command("locate")
@click.option("--lat", type=click.FloatRange(-90, 90), required=True)
@click.option("--lon", type=click.FloatRange(-180, 180), required=True)
def geo_locate(lat: float, lon: float) -> None:
    """Print the admin areas (P-codes and names) that hold a point."""
    from ceasefire.domain.place import Point
    from ceasefire.geo.admin import syria

    areas = syria().areas_at(Point(lon, lat))
    if not areas:
        raise NotFound(f"({lat}, {lon}) lies outside every admin area")
    for area in areas:
        click.echo(f"adm{area.level}  {area.pcode:<9} {area.name}  {area.name_ar}")
