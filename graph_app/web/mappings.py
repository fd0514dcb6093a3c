"""Mappings in the web app: public pages of mappings and their history, curation with
review (log in, propose, accept/reject, deprecate), each credential's equivalents and
conflicts, and requirement checks (/api/satisfies and a page per requirement).

Writes need a curator: in the browser a session made by logging in (forms carry a CSRF
token, Flask-WTF); over the API HTTP Basic authentication with the same name and
password. Curators come from the CURATORS setting. Without a curator every write is
refused (401) and nothing changes; reviewing one's own proposal is refused (403).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..core import curation, equivalence
from ..core.entity import labels_for
from ..core.errors import QagraphError
from ..core.labels import pick
from ..core.namespaces import DEFAULT_BASE, compact, expand
from ..core.satisfaction import Checker
from ..core.store import Store
from .browse import reasoning
from .security import TooManyAttempts, local_path, sessions, throttle, too_many
from .store import get_store

bp = Blueprint("mappings", __name__)

CREDENTIAL_BASE = DEFAULT_BASE + "credential/"
REQUIREMENT_BASE = DEFAULT_BASE + "requirement/"


def _store() -> Store:
    return get_store(current_app)


def _curators() -> dict[str, str]:
    return curation.parse_curators(current_app.config.get("CURATORS", ""))


def _dummy_hash() -> str:
    """A hash made like the curators' own (same method and cost), checked for unknown
    names, so that an unknown name takes as long to refuse as a wrong password."""
    cached = current_app.extensions.get("qagraph.dummy_hash")
    if cached is None:
        known = next(iter(_curators().values()), "")
        method = known.split("$", 1)[0] if "$" in known else "scrypt"
        cached = generate_password_hash(secrets.token_hex(16), method=method)
        current_app.extensions["qagraph.dummy_hash"] = cached
    return str(cached)


def _check(name: str, password: str) -> bool:
    """Whether the name and password are a curator's, under the rate limits of failed
    attempts (raises TooManyAttempts). Unknown names cost a hash check too."""
    throttle().check(name)
    secret = _curators().get(name)
    ok = check_password_hash(secret or _dummy_hash(), password) and secret is not None
    if not ok:
        throttle().failed(name)
    return ok


def current_curator() -> str | None:
    name = sessions().curator(session.get("login"))
    return name if name in _curators() else None


def _labeller(iris: set[str]) -> Any:
    labels = labels_for(_store(), iris)
    return lambda iri: pick(labels.get(iri), getattr(g, "lang", "sv")) or compact(iri)


# -- forms ----------------------------------------------------------------------------


class LoginForm(FlaskForm):
    name = StringField("name", validators=[DataRequired(), Length(max=100)])
    password = PasswordField("password", validators=[DataRequired()])


class ProposeForm(FlaskForm):
    subject = StringField("subject", validators=[DataRequired(), Length(max=500)])
    predicate = SelectField("predicate", choices=[(p, p) for p in curation.PREDICATES])
    object = StringField("object", validators=[DataRequired(), Length(max=500)])
    negated = BooleanField("negated")
    justification = TextAreaField("justification", validators=[DataRequired(), Length(max=4000)])
    see_also = StringField("see_also", validators=[Length(max=500)])


class LogoutForm(FlaskForm):
    """No fields: only the CSRF token, so another site cannot log a curator out."""


class ReviewForm(FlaskForm):
    action = SelectField("action", choices=[(a, a) for a in curation.TRANSITIONS])
    comment = TextAreaField("comment", validators=[DataRequired(), Length(max=4000)])


def _credential_iri(text: str) -> str:
    text = text.strip()
    if text.startswith("http://") or text.startswith("https://"):
        return text
    return expand(text) or CREDENTIAL_BASE + text.removeprefix("credential/")


# -- pages ----------------------------------------------------------------------------


def _list_data() -> dict[str, Any]:
    records = curation.records(_store())
    imported = equivalence.accepted_mappings(_store())
    curated_iris = {r.iri for r in records}
    imported = [m for m in imported if m.record not in curated_iris]
    label = _labeller({r.subject for r in records} | {r.object for r in records}
                      | {m.subject for m in imported} | {m.object for m in imported})
    return {"records": records, "imported": imported, "label": label}


@bp.get("/mappings")
def mapping_list() -> str:
    return render_template("mappings/list.html", curator=current_curator(), **_list_data())


@bp.get("/mappings.json")
def mapping_list_json() -> Any:
    data = _list_data()
    return jsonify({
        "curated": [_record_json(r) for r in data["records"]],
        "imported": [{"record": m.record, "subject": m.subject, "predicate": m.predicate,
                      "object": m.object, "negated": m.negated} for m in data["imported"]],
    })


def _record_json(r: curation.Record) -> dict[str, Any]:
    return {"record": r.iri, "subject": r.subject, "predicate": r.predicate, "object": r.object,
            "negated": r.negated, "status": r.status,
            "status_iri": str(curation.concept(r.status)) if r.status in curation.STATES else None,
            "author": r.author, "reviewer": r.reviewer,
            "justification": r.justification, "created": r.created,
            "history": [c.__dict__ for c in r.history]}


@bp.get("/mappings/record/<slug>")
def mapping_page(slug: str) -> str:
    try:
        record = curation.record(_store(), slug)
    except QagraphError:
        abort(404)
    label = _labeller({record.subject, record.object})
    form = ReviewForm()
    return render_template("mappings/record.html", record=record, label=label, form=form,
                           curator=current_curator())


@bp.get("/mappings/record/<slug>.json")
def mapping_json(slug: str) -> Any:
    try:
        return jsonify(_record_json(curation.record(_store(), slug)))
    except QagraphError:
        abort(404)


@bp.route("/mappings/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        name = form.name.data or ""
        try:
            ok = _check(name, form.password.data or "")
        except TooManyAttempts as err:
            return too_many(err)
        if ok:
            sessions().end(session.get("login"))
            session.clear()
            session["login"] = sessions().start(name)
            return redirect(local_path(request.args.get("next")) or url_for("mappings.mapping_list"))
        failed = True
    status = 401 if failed or (request.method == "POST") else 200
    return render_template("mappings/login.html", form=form, failed=failed), status


@bp.post("/mappings/logout")
def logout() -> Any:
    if not LogoutForm().validate_on_submit():
        abort(400)
    sessions().end(session.get("login"))
    session.clear()
    return redirect(url_for("mappings.mapping_list"))


def _need_curator() -> str:
    name = current_curator()
    if name is None:
        abort(401)
    return name


@bp.route("/mappings/propose", methods=["GET", "POST"])
def propose() -> Any:
    name = _need_curator()
    form = ProposeForm()
    if request.method == "GET":
        form.subject.data = form.subject.data or request.args.get("subject", "")
    error = None
    if form.validate_on_submit():
        try:
            iri = curation.propose(
                _store(), name, _credential_iri(form.subject.data or ""), form.predicate.data or "",
                _credential_iri(form.object.data or ""), form.justification.data or "",
                negated=bool(form.negated.data), see_also=form.see_also.data or "")
            return redirect(url_for("mappings.mapping_page", slug=iri.rsplit("/", 1)[-1]))
        except QagraphError as err:
            error = err.text(g.lang)
    elif request.method == "POST":
        abort(400)
    return render_template("mappings/propose.html", form=form, error=error, curator=name), 400 if error else 200


@bp.post("/mappings/record/<slug>/review")
def review(slug: str) -> Any:
    name = _need_curator()
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        curation.transition(_store(), name, slug, form.action.data or "", form.comment.data or "")
    except curation.CurationRefused:
        abort(403)
    except QagraphError as err:
        record = curation.record(_store(), slug)
        label = _labeller({record.subject, record.object})
        return render_template("mappings/record.html", record=record, label=label, form=form,
                               curator=name, error=err.text(g.lang)), 400
    return redirect(url_for("mappings.mapping_page", slug=slug))


# -- API (HTTP Basic authentication; no cookies, so no CSRF) ---------------------------


def _api_curator() -> str:
    auth = request.authorization
    try:
        ok = auth is not None and _check(auth.username or "", auth.password or "")
    except TooManyAttempts as err:
        abort(too_many(err))
    if auth is None or not ok:
        response = jsonify({"ok": False, "status": 401, "error": _("Log in as a curator."), "errors": []})
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Basic realm="qagraph curators"'
        abort(response)
    return auth.username or ""


@bp.post("/api/mappings")
def api_propose() -> Any:
    name = _api_curator()
    body = request.get_json(silent=True) or {}
    iri = curation.propose(
        _store(), name, _credential_iri(str(body.get("subject", ""))), str(body.get("predicate", "")),
        _credential_iri(str(body.get("object", ""))), str(body.get("justification", "")),
        negated=bool(body.get("negated")), see_also=str(body.get("see_also", "")))
    return jsonify({"ok": True, "record": iri, "status": "proposed"}), 201


@bp.post("/api/mappings/<slug>/<action>")
def api_transition(slug: str, action: str) -> Any:
    name = _api_curator()
    body = request.get_json(silent=True) or {}
    status = curation.transition(_store(), name, slug, action, str(body.get("comment", "")))
    return jsonify({"ok": True, "record": slug, "status": status})


# -- a credential's equivalents and conflicts -------------------------------------------


def credential_mappings(iri: str) -> dict[str, Any]:
    """What the credential page shows: equivalents (direct and implied) and conflicts."""
    mapped = reasoning()
    found = mapped.equivalents(iri)
    conflicts = mapped.conflicts_for(iri)
    iris = {iri} | {e.credential for e in found}
    for c in conflicts:
        iris |= {s.subject for s in c.path} | {s.object for s in c.path}
    return {"credential": iri, "equivalents": found, "conflicts": conflicts, "label": _labeller(iris)}


@bp.get("/mappings/credential/<path:tail>")
def credential_page(tail: str) -> Any:
    from .check import resolve

    as_json = tail.endswith(".json")
    iri = CREDENTIAL_BASE + tail.removesuffix(".json")
    if resolve(iri, "credential").iri != iri:
        abort(404)
    data = credential_mappings(iri)
    if as_json:
        return jsonify({
            "credential": iri,
            "equivalents": [{"credential": e.credential, "kind": e.kind, "implied": e.implied,
                             "path": [s.__dict__ for s in e.path]} for e in data["equivalents"]],
            "conflicts": [{"rule": c.rule, "credentials": list(c.credentials), "detail": c.detail,
                           "path": [s.__dict__ for s in c.path]} for c in data["conflicts"]],
        })
    return render_template("mappings/credential.html", **data)


# -- requirement checks ---------------------------------------------------------------


def _api_error(text: str, errors: list[str]) -> Any:
    response = jsonify({"ok": False, "status": 400, "error": text, "errors": errors})
    response.status_code = 400
    return response


@bp.get("/api/satisfies")
def api_satisfies() -> Any:
    """JSON of one check; the credential and the requirement may be given by name, id,
    CURIE or IRI (an award by its IRI). Unknown names and bad dates get 400 with a message."""
    from . import check

    credential = check.resolve(request.args.get("credential", "")[:2000], "credential", awards=True)
    requirement = check.resolve(request.args.get("requirement", "")[:2000], "requirement")
    on, on_error = check.parse_day(request.args.get("on", "")[:200], required=False, what="")
    issued, issued_error = check.parse_day(request.args.get("issued", "")[:200], required=False, what="")
    errors = [f"{name}: {e}" for name, e in (("credential", credential.error), ("requirement", requirement.error),
                                             ("on", on_error), ("issued", issued_error)) if e]
    if errors or not credential.iri or not requirement.iri:
        return _api_error(_("The question could not be asked."), errors)
    answer = Checker(_store(), reasoning()).check(credential.iri, requirement.iri, on, issued)
    return jsonify(answer.as_json())


@bp.get("/requirements/<path:tail>/satisfies")
def requirement_page(tail: str) -> Any:
    """The check with the requirement fixed; the credential is typed by name, id or an
    award's IRI (see check.py)."""
    from . import check
    from .acceptance import verdict_names

    requirement = REQUIREMENT_BASE + tail
    if not check.resolve(requirement, "requirement").iri:
        abort(404)
    state = check.form_state(request.args, fixed_requirement=requirement)
    failed = state["asked"] and state["answer"] is None
    return render_template("check.html", verdicts=verdict_names(), check=state, **state), 400 if failed else 200


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def mapping_helpers() -> dict[str, Any]:
        return {"compact": compact, "kind_label": kind_label, "curation_label": curation_label,
                "logout_form": LogoutForm}


def curation_label(name: str) -> str:
    """The label of a curation status or action concept (by notation) in the page language."""
    return curation.concept_label(name, getattr(g, "lang", "sv"))


def kind_label(kind: str) -> str:
    return {
        "exact": _("exact match"), "close": _("close match"), "broad": _("broad match"),
        "narrow": _("narrow match"), "related": _("related match"),
        "exactMatch": _("exact match"), "closeMatch": _("close match"), "broadMatch": _("broad match"),
        "narrowMatch": _("narrow match"), "relatedMatch": _("related match"),
        "proposed": _("proposed"), "accepted": _("accepted"), "rejected": _("rejected"),
        "deprecated": _("deprecated"), "propose": _("proposed"), "accept": _("accepted"),
        "reject": _("rejected"), "deprecate": _("deprecated"),
        "level": _("different assurance levels joined by exact matches"),
        "negation": _("contradicts a 'not equivalent' mapping"),
        "cycle": _("broad-match cycle"),
        "direct-credential": _("the requirement asks for this credential"),
        "direct-level": _("a route reaches the required level"),
        "equivalence": _("through an accepted exact equivalence"),
        "recognition": _("through a recognition valid on the date"),
        "requirement-not-in-force": _("the requirement is not in force on the date"),
        "expired": _("the award has expired on the date"),
        "issue-date-needed": _("the recognition covers awards by issue date; give the issue date"),
        "issued-outside-window": _("the award was issued outside the dates the recognition covers"),
        "recognition-ended": _("the recognition had ended on the date"),
        "recognition-not-yet-valid": _("the recognition was not yet valid on the date"),
        "no-path": _("no direct match, equivalence or recognition"),
        "direct": _("direct"),
    }.get(kind, kind)
