"""Interface language with Flask-Babel: English source strings, Swedish catalogues.

Each feature keeps its catalogue in a folder of its own under `graph_app/translations/`
(`<feature>/sv/LC_MESSAGES/messages.po`); Flask-Babel merges them. The `.po` files are
compiled to `.mo` when the app starts and a catalogue is newer than its compiled twin.
The choice of language comes from `?lang=`, then a cookie, then the browser's
Accept-Language, then the LANG setting; a `?lang=` choice is remembered in the cookie.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, request
from flask_babel import Babel, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from ..core.messages import LANGUAGES, normalise_language

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


def catalogue_dirs() -> list[Path]:
    """Every feature's translations folder."""
    return sorted(p for p in TRANSLATIONS.iterdir() if p.is_dir())


def compile_catalogues() -> None:
    """Compile each messages.po to messages.mo when the .mo is missing or older."""
    for po in TRANSLATIONS.glob("*/*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalogue)
        tmp.replace(mo)


def select_language() -> str:
    return str(getattr(g, "lang", "sv"))


def translations() -> Any:
    """The merged catalogues of the request's language: Flask-Babel's own, looked up once
    per language and app (a template's strings are many: each lookup through Flask-Babel
    took some 20 µs of context and locale lookups)."""
    by_lang: dict[str, Any] = current_app.extensions.setdefault("qagraph.translations", {})
    lang = select_language()
    found = by_lang.get(lang)
    if found is None:
        found = by_lang[lang] = get_translations()
    return found


# The templates' translated strings of the request's language, kept per app and language (a
# page says some seventy of them): msgid -> translation, and (msgid, None) -> the text an
# autoescaped template shows for `_(msgid)` without variables.
STRINGS = "qagraph_strings"


@pass_context
def _template_gettext(context: Context, text: str) -> str:
    """The translation from the table of the page's language, looked up in the catalogues
    when first asked for."""
    strings: dict[Any, str] | None = context.get(STRINGS)
    if strings is None:
        return str(translations().ugettext(text))
    found = strings.get(text)
    if found is None:
        found = strings[text] = str(translations().ugettext(text))
    return found


@pass_context
def _template_underscore(context: Context, text: str, **variables: Any) -> str:
    """A template's `_()`: what Jinja's newstyle gettext makes (the translation, marked safe
    when the template escapes, then always formatted with its variables, which are
    escaped), in one call instead of three, and kept when it has no variables."""
    strings: dict[Any, str] | None = context.get(STRINGS)
    autoescape = context.eval_ctx.autoescape
    if strings is None or variables or not autoescape:
        found: str = _template_gettext(context, text)
        return (Markup(found) if autoescape else found) % variables
    shown = strings.get((text, None))
    if shown is None:
        shown = strings[(text, None)] = Markup(_template_gettext(context, text)) % {}
    return shown


def init_app(app: Flask) -> None:
    compile_catalogues()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(p) for p in catalogue_dirs())
    app.config["BABEL_DEFAULT_LOCALE"] = app.config.get("LANG", "sv")
    Babel(app, locale_selector=select_language)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_template_gettext,
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["_"] = _template_underscore

    @app.before_request
    def choose_language() -> None:
        asked = request.args.get("lang") or request.cookies.get("lang")
        if asked not in LANGUAGES:
            asked = request.accept_languages.best_match(list(LANGUAGES)) or app.config["LANG"]
        g.lang = normalise_language(asked)

    @app.after_request
    def remember_language(response: Any) -> Any:
        if request.args.get("lang") in LANGUAGES:
            response.set_cookie("lang", request.args["lang"], max_age=365 * 24 * 3600, samesite="Lax")
            response.vary.add("Cookie")
        return response

    @app.context_processor
    def language_context() -> dict[str, Any]:
        lang = select_language()
        strings: dict[str, dict[Any, str]] = current_app.extensions.setdefault("qagraph.strings", {})
        return {"lang": lang, "other_lang": "en" if lang == "sv" else "sv",
                STRINGS: strings.setdefault(lang, {})}
