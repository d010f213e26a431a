"""The form to submit a report, with place search by name, P-code, coordinates or a
point picked on a map.

Without script: "Find place" sends the form to the server, which answers with the places
the text may mean; the map is an <input type="image">, whose click the browser sends as
x, y. A place is filed without a choice only when the text names it outright (its exact
name, its P-code, its coordinates); a variant or fuzzy spelling is shown with how far it
is from the name, and the officer chooses. The report is then validated and stored
exactly as through the API (`services.reports`), so the web form cannot accept what the
API would refuse. Every fault is named by the form's own label, all at once, and the
form comes back with everything typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from ceasefire.domain import words
from ceasefire.domain.casualties import DEATHS_MAX
from ceasefire.domain.parties import Account
from ceasefire.domain.report import NARRATIVE_MAX
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.errors import CeasefireError, Forbidden, InvalidInput
from ceasefire.http.deps import DatabaseDep
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import intake, reference
from ceasefire.services.intake import Candidate, search_places
from ceasefire.services.reports import Submission, submit_reports
from ceasefire.web.csrf import SessionFormChecked
from ceasefire.web.deps import WebAccount
from ceasefire.web.templating import render, root

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
FIELDS = ("date", "time", "place", "choice", "violation", "killed", "injured", "narrative",
          "source")
# The form's labels, by field; the ids of its controls are "r-" and the field.
LABELS = {"date": "Date", "time": "Time of day", "place": "Place",
          "violation": "Violation", "perpetrators": "Alleged perpetrators",
          "targets": "Targets", "killed": "Killed", "injured": "Injured",
          "narrative": "What happened", "source": "Source"}
# The API's field names (as errors give them) to the form's, first match by prefix.
_API_FIELDS = (("when.earliest", "time"), ("when.latest", "time"), ("when", "date"),
               ("place", "place"), ("violation", "violation"),
               ("perpetrator", "perpetrators"), ("target", "targets"),
               ("casualties.injured", "injured"), ("casualties", "killed"),
               ("narrative", "narrative"), ("source", "source"))


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one field of the form, in words."""

    field: str
    message: str

    @property
    def label(self) -> str:
        return LABELS.get(self.field, "The report")


def form_field(api_field: str | None) -> str:
    """The form's field for an API field name ("place.name" is the place box)."""
    for prefix, field in _API_FIELDS:
        if api_field and api_field.startswith(prefix):
            return field
    return ""


def _form(request: Request, account: Account, database: DatabaseDep, values: dict[str, Any],
          *, candidates: list[Candidate] | None = None, problems: list[Problem] | None = None,
          sent: intake.Sent | None = None, status_code: int = 200) -> Response:
    problems = problems or []
    with database.session() as session:
        actors = sorted(reference.actors(session), key=lambda a: a.name)
    return render(request, "report_form.html", {
        "account": account, "v": values, "candidates": candidates, "problems": problems,
        "problem_of": {p.field: p for p in problems}, "sent": sent,
        "violations": list(ViolationType), "actors": actors, "choice_value": _choice_value,
        "place_kind": words.place_kind_words,
        "narrative_max": NARRATIVE_MAX, "pick_width": intake.PICK_WIDTH,
        "pick_height": intake.pick_projection().height}, status_code=status_code)


def _choice_value(c: Candidate) -> str:
    return f"{c.point.lon},{c.point.lat},{int(c.precision)},{'' if c.kind == 'point' else c.name}"


def _refused(request: Request, account: Account) -> Response | None:
    if account.role.may_submit_reports:
        return None
    error = Forbidden(f"{words.an_account(account.role)} cannot submit reports")
    return render(request, "problem.html", {"account": account, "error": error},
                  status_code=403)


def _empty() -> dict[str, Any]:
    return {**dict.fromkeys(FIELDS, ""), "perpetrators": [], "targets": []}


@router.get("/reports/new")
def new_report(request: Request, account: WebAccount, database: DatabaseDep,
               sent: str = "") -> Response:
    refused = _refused(request, account)
    if refused is not None:
        return refused
    done = None
    if sent:
        with database.session() as session:
            try:
                done = intake.sent_report(session, sent)
            except CeasefireError:
                done = None  # an old or mistyped link: the empty form is answer enough
    return _form(request, account, database, _empty(), sent=done)


@router.get("/reports/pick-map.svg")
def pick_map(account: WebAccount) -> Response:
    return Response(intake.pick_map_svg(), media_type="image/svg+xml",
                    headers={"cache-control": "private, max-age=3600"})


@router.post("/reports/new")
def submit(request: Request, _: SessionFormChecked, account: WebAccount,
           database: DatabaseDep, action: Text = "submit", date: Text = "", time: Text = "",
           place: Text = "", choice: Text = "", violation: Text = "",
           perpetrator: Texts = [], target: Texts = [],  # noqa: B006 (FastAPI copies)
           killed: Text = "", injured: Text = "", narrative: Text = "", source: Text = "",
           found_for: Text = "",
           pick_x: Annotated[str, Form(alias="pick.x")] = "",
           pick_y: Annotated[str, Form(alias="pick.y")] = "") -> Response:
    values: dict[str, Any] = {
        "date": date, "time": time, "place": place, "choice": choice,
        "violation": violation, "perpetrators": [p for p in perpetrator if p],
        "targets": [t for t in target if t], "killed": killed, "injured": injured,
        "narrative": narrative, "source": source}
    refused = _refused(request, account)
    if refused is not None:
        return refused
    if values["choice"] and found_for and found_for.strip() != place.strip():
        values["choice"] = ""  # chosen among places found for other text than is typed now
    show: Callable[..., Response] = lambda status=200, **kw: _form(  # noqa: E731
        request, account, database, values, status_code=status, **kw)
    if pick_x or pick_y:  # a click on the map: the point, and the places near it
        try:
            found = intake.picked_candidates(float(pick_x or 0), float(pick_y or 0))
        except (ValueError, InvalidInput) as exc:
            return show(400, problems=[Problem("place", _message(exc))])
        values.update(place=found[0].name, choice="")
        return show(candidates=found)
    if action == "find":
        if not place.strip():
            return show(400, problems=[Problem("place", "type a place name, a P-code or "
                                               "coordinates to look for")])
        try:
            with database.session() as session:
                found = search_places(session, place)
        except InvalidInput as exc:
            return show(400, problems=[Problem("place", exc.message)])
        values["choice"] = ""
        return show(candidates=found)
    problems = _check(values)
    where, candidates, place_problem = _place(database, values)
    if place_problem is not None:
        problems.insert(0, place_problem)
    if problems or where is None:
        return show(422, problems=_ordered(problems), candidates=candidates)
    try:
        given = ReportIn.model_validate(_body(values, where))
        (result,) = submit_reports(database, [Submission(given, account=account)])
        if isinstance(result, Exception):
            raise result
    except ValidationError as exc:
        return show(422, problems=_ordered([_pydantic_problem(e) for e in exc.errors()]))
    except CeasefireError as exc:
        return show(exc.http_status,
                    problems=[Problem(form_field(exc.field), _message(exc))])
    return RedirectResponse(f"{root(request)}/reports/new?sent={result.report.id}",
                            status_code=303)


def _message(exc: Exception) -> str:
    return exc.message if isinstance(exc, CeasefireError) else str(exc)


def _ordered(problems: list[Problem]) -> list[Problem]:
    """One problem per field, in the form's order."""
    order = list(LABELS)
    first: dict[str, Problem] = {}
    for p in problems:
        first.setdefault(p.field, p)
    return sorted(first.values(), key=lambda p: order.index(p.field) if p.field in order
                  else len(order))


def _check(v: dict[str, Any]) -> list[Problem]:
    """What the form alone can tell is missing or too large, in the officer's words."""
    problems = []
    if not v["date"]:
        problems.append(Problem("date", "give the day it happened"))
    if v["violation"] not in {t.value for t in ViolationType}:
        problems.append(Problem("violation", "choose the kind of violation"))
    for field in ("killed", "injured"):
        figure = v[field].strip()  # decimal digits, not "²", which int() cannot read
        if figure and (not figure.isdecimal() or int(figure) > DEATHS_MAX):
            problems.append(Problem(field, f"give a whole number from 0 to {DEATHS_MAX:,}"))
    length = len(v["narrative"].strip())
    if length > NARRATIVE_MAX:
        problems.append(Problem("narrative", f"is {length:,} characters long: at most "
                                f"{NARRATIVE_MAX:,} can be kept. Shorten it, or attach the "
                                "full text as evidence in a later report"))
    return problems


def _place(database: DatabaseDep, v: dict[str, Any]
           ) -> tuple[dict[str, Any] | None, list[Candidate] | None, Problem | None]:
    """The place the form gives (the API's place body), or the places to choose from and
    why the officer must choose."""
    if v["choice"]:
        parts = v["choice"].split(",", 3)
        if len(parts) != 4:  # the radio buttons send lon,lat,precision,name
            return None, None, Problem("place", "choose one of the places the search "
                                       "found, or search again")
        lon, lat, precision, name = parts
        return {"lon": lon, "lat": lat, "precision": precision, "name": name or None}, \
            None, None
    text = v["place"].strip()
    if not text:
        return None, None, Problem("place", "give the place: a name, a P-code such as "
                                   "SY0703, coordinates (latitude, longitude), or a point "
                                   "picked on the map")
    try:
        with database.session() as session:
            found = search_places(session, text)
    except InvalidInput as exc:
        return None, None, Problem("place", exc.message)
    if not found:
        return None, None, Problem("place", f"no place called “{text}” is known. Check "
                                   "the spelling, or give its P-code (such as SY0703), its "
                                   "coordinates (latitude, longitude), or pick it on the map")
    first = found[0]
    elsewhere = [c for c in found[1:] if c.taken_as_typed and c.km_from_first]
    if first.taken_as_typed and not elsewhere:
        return {"lon": first.point.lon, "lat": first.point.lat,
                "precision": int(first.precision),
                "name": None if first.kind == "point" else first.name}, None, None
    why = (f"more than one place is called “{text}”" if first.taken_as_typed else
           f"“{text}” is not the name of a place we know, only like some")
    return None, found, Problem("place", f"{why}: choose one below, or give a P-code or "
                                "coordinates")


def _pydantic_problem(error: Any) -> Problem:
    where = ".".join(str(p) for p in error["loc"])
    return Problem(form_field(where), str(error["msg"]))


def _body(v: dict[str, Any], place: dict[str, Any]) -> dict[str, Any]:
    """The form as the API's report body."""
    when: dict[str, Any] = {"date": v["date"] or None}
    if v["time"]:  # "14:30", or "14:30:15" from a browser that shows seconds
        clock = v["time"] if v["time"].count(":") == 2 else f"{v['time']}:00"
        when = {"earliest": f"{v['date']}T{clock}+00:00", "precision": "exact"}
    body: dict[str, Any] = {
        "when": when, "place": place, "violation": v["violation"] or None,
        "narrative": v["narrative"].strip(), "perpetrators": v["perpetrators"],
        "targets": v["targets"],
        "casualties": {"best": v["killed"].strip() or 0,
                       "injured": v["injured"].strip() or None}}  # empty: not known
    if v["source"].strip():
        body["source"] = {"name": v["source"].strip()}
    return body
