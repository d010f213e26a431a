"""The form to submit a report, with place search by name.

Without script: "Find place" sends the form to the server, which answers with the places
the name may mean; the officer picks one (or keeps the name as typed) and submits. The
report is validated and stored exactly as through the API (`services.reports`), so the
web form cannot accept what the API would refuse.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from ceasefire.domain.parties import Account
from ceasefire.domain.taxonomy import ViolationType
from ceasefire.errors import CeasefireError, Forbidden, InvalidInput
from ceasefire.http.deps import DatabaseDep
from ceasefire.intake.report_in import ReportIn
from ceasefire.services import reference
from ceasefire.services.intake import Candidate, search_places
from ceasefire.services.reports import Submission, submit_reports
from ceasefire.web.csrf import SessionFormChecked
from ceasefire.web.deps import WebAccount
from ceasefire.web.templating import render, root

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
FIELDS = ("date", "place", "choice", "violation", "perpetrator", "target", "killed",
          "narrative", "source")


def _form(request: Request, account: Account, database: DatabaseDep, values: dict[str, str],
          *, candidates: list[Candidate] | None = None, error: CeasefireError | None = None,
          status_code: int = 200) -> Response:
    with database.session() as session:
        actors = sorted(reference.actors(session), key=lambda a: a.name)
    return render(request, "report_form.html", {
        "account": account, "v": values, "candidates": candidates, "error": error,
        "violations": [v.value for v in ViolationType], "actors": actors,
        "choice_value": _choice_value}, status_code=status_code)


def _choice_value(c: Candidate) -> str:
    return f"{c.point.lon},{c.point.lat},{int(c.precision)},{c.name}"


def _refuse_role(account: Account) -> None:
    if not account.role.may_submit_reports:
        raise Forbidden(f"a {account.role.value} account cannot submit reports")


@router.get("/reports/new")
def new_report(request: Request, account: WebAccount, database: DatabaseDep) -> Response:
    try:
        _refuse_role(account)
    except Forbidden as exc:
        return render(request, "problem.html", {"account": account, "error": exc},
                      status_code=403)
    return _form(request, account, database, dict.fromkeys(FIELDS, ""))


@router.post("/reports/new")
def submit(request: Request, _: SessionFormChecked, account: WebAccount,
           database: DatabaseDep, action: Text = "submit", date: Text = "",
           place: Text = "", choice: Text = "", violation: Text = "", perpetrator: Text = "",
           target: Text = "", killed: Text = "", narrative: Text = "",
           source: Text = "") -> Response:
    values = {"date": date, "place": place, "choice": choice, "violation": violation,
              "perpetrator": perpetrator, "target": target, "killed": killed,
              "narrative": narrative, "source": source}
    try:
        _refuse_role(account)
    except Forbidden as exc:
        return render(request, "problem.html", {"account": account, "error": exc},
                      status_code=403)
    if action == "find":
        if not place.strip():
            return _form(request, account, database, values, status_code=400,
                         error=InvalidInput("type a place name to look for",
                                            field="place"))
        with database.session() as session:
            found = search_places(session, place)
        return _form(request, account, database, {**values, "choice": ""},
                     candidates=found)
    try:
        given = ReportIn.model_validate(_body(values))
        (result,) = submit_reports(database, [Submission(given, account=account)])
        if isinstance(result, Exception):
            raise result
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return _form(request, account, database, values, status_code=422,
                     error=InvalidInput(first["msg"], field=where))
    except CeasefireError as exc:
        return _form(request, account, database, values, error=exc,
                     status_code=exc.http_status)
    target_page = f"/incidents/{result.incident}" if result.incident else "/incidents"
    return RedirectResponse(f"{root(request)}{target_page}?submitted={result.report.id}",
                            status_code=303)


def _body(v: dict[str, str]) -> dict[str, Any]:
    """The form as the API's report body."""
    if v["choice"]:
        parts = v["choice"].split(",", 3)
        if len(parts) != 4:  # the form's radio buttons send lon,lat,precision,name
            raise InvalidInput("choose one of the places the search found, or search again",
                               field="place")
        lon, lat, precision, name = parts
        place: dict[str, Any] = {"lon": lon, "lat": lat, "precision": precision,
                                 "name": name}
    else:
        place = {"name": v["place"].strip() or None}
    body: dict[str, Any] = {
        "when": {"date": v["date"] or None}, "place": place,
        "violation": v["violation"] or None, "narrative": v["narrative"].strip(),
        "perpetrators": [v["perpetrator"]] if v["perpetrator"] else [],
        "targets": [v["target"]] if v["target"] else [],
        "casualties": {"best": v["killed"].strip() or 0}}
    if v["source"].strip():
        body["source"] = {"name": v["source"].strip()}
    return body
